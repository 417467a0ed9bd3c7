import { compileImageGlob } from '../../reference/glob';
import type { ImageMatcher } from '../../reference/reference.types';
import type { CompiledBreakGlass, CompiledLabelSelector, CompiledPolicy } from './compiled.types';
import { compilePolicy, describeObject, policyId, type CompileOptions } from './compile';
import type { LabelSelector } from '../crd/crd.types';
import { isPolicyError, PolicyError, type FieldError } from '../errors';
import { compileLabelSelector, validateLabelSelector } from '../decide/label-selector';
import { isRecord } from '../../guards';

/**
 * A policy that failed to compile. `policy` is a stand-in (mode enforce, no authorities, globs that did
 * compile) so that the images it would govern are denied with `code` POLICY_NOT_READY: a broken policy
 * never silently opens the door. Shape-compatible with the engine's BrokenPolicy.
 */
export interface BrokenPolicyEntry {
  readonly policy: CompiledPolicy;
  readonly code: 'POLICY_NOT_READY';
  readonly reason: string;
  /** Position of the object in the input list. */
  readonly index: number;
  readonly error: PolicyError;
}

export interface CompiledPolicySet {
  readonly policies: CompiledPolicy[];
  readonly broken: BrokenPolicyEntry[];
}

/** Characters of the underlying error kept in a broken policy's denial reason. */
export const MAX_BROKEN_REASON_CHARS = 600;

/**
 * Compiles many policy objects; one broken policy does not hide the others. Two objects with the same id
 * are both broken (POLICY_DUPLICATE), since neither can be trusted to be the intended one.
 */
export function compilePolicies(objs: readonly unknown[], options: CompileOptions): CompiledPolicySet {
  const results = objs.map((obj, index) => {
    try {
      return { index, obj, policy: compilePolicy(obj, options) };
    } catch (error) {
      if (!isPolicyError(error)) throw error;
      return { index, obj, error };
    }
  });
  const counts = new Map<string, number>();
  for (const r of results) if (r.policy) counts.set(r.policy.id, (counts.get(r.policy.id) ?? 0) + 1);
  const policies: CompiledPolicy[] = [];
  const broken: BrokenPolicyEntry[] = [];
  for (const r of results) {
    if (r.policy && (counts.get(r.policy.id) ?? 0) === 1) {
      policies.push(r.policy);
      continue;
    }
    const error =
      r.error ??
      new PolicyError('POLICY_DUPLICATE', `policy ${r.policy?.id ?? '?'} is defined more than once`, {
        fieldErrors: [
          {
            path: 'metadata.name',
            code: 'POLICY_DUPLICATE',
            message: 'another object has the same kind, namespace and name',
          },
        ],
      });
    broken.push(toBrokenPolicy(r.obj, r.index, error, options.defaultNamespace));
  }
  return { policies, broken };
}

/** Builds the fail-closed stand-in for a policy object that did not compile. */
export function toBrokenPolicy(
  obj: unknown,
  index: number,
  error: PolicyError,
  defaultNamespace?: string,
): BrokenPolicyEntry {
  const raw = isRecord(obj) ? obj : {};
  const meta = isRecord(raw.metadata) ? raw.metadata : {};
  const spec = isRecord(raw.spec) ? raw.spec : {};
  const kind = raw.kind === 'ImagePolicy' ? 'ImagePolicy' : 'ClusterImagePolicy';
  const name = typeof meta.name === 'string' ? meta.name : `<object #${index + 1}>`;
  const namespace =
    kind === 'ImagePolicy'
      ? typeof meta.namespace === 'string'
        ? meta.namespace
        : defaultNamespace
      : undefined;
  const id = raw.kind === kind ? policyId(kind, name, namespace) : describeObject(obj);
  const selector = kind === 'ClusterImagePolicy' ? readSelector(spec.namespaceSelector) : undefined;
  const generation = typeof meta.generation === 'number' ? meta.generation : 0;
  const first = error.fieldErrors[0];
  const why = first ? `${first.path}: [${first.code}] ${first.message}` : error.message;
  const more = error.fieldErrors.length > 1 ? ` (and ${error.fieldErrors.length - 1} more errors)` : '';
  const reason =
    `policy ${id} failed to compile, so the images it governs are denied: ${why}`.slice(
      0,
      MAX_BROKEN_REASON_CHARS,
    ) + more;
  const policy: CompiledPolicy = {
    kind,
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    generation,
    id,
    cacheKey: `${id}@${generation}:broken`,
    mode: 'enforce',
    images: readGlobs(spec.images),
    excludeImages: [],
    ...(selector ? { namespaceSelector: selector } : {}),
    requireDigest: false,
    threshold: 1,
    authorities: [],
    breakGlass: readBreakGlass(spec.breakGlass),
    registry: { credentials: [], onError: 'deny', maxStalenessMs: 0 },
    encryption: 'any',
  };
  return { policy, code: 'POLICY_NOT_READY', reason, index, error };
}

// readGlobs keeps the globs that compile, so the broken policy still denies what it was meant to govern;
// it drops tag limits and exclusions, so it governs every tag of those names (the strict direction).
function readGlobs(images: unknown): ImageMatcher[] {
  if (!Array.isArray(images)) return [];
  return images.flatMap((entry: unknown) => {
    if (!isRecord(entry) || typeof entry.glob !== 'string') return [];
    try {
      return [compileImageGlob(entry.glob)];
    } catch {
      return [];
    }
  });
}

// readSelector compiles a readable selector; an unreadable one selects every namespace (fail closed).
function readSelector(value: unknown): CompiledLabelSelector | undefined {
  if (!isRecord(value)) return undefined;
  const errors: FieldError[] = [];
  const labels = value.matchLabels;
  const exprs = value.matchExpressions;
  const shapeOk =
    (labels === undefined ||
      (isRecord(labels) && Object.values(labels).every((v) => typeof v === 'string'))) &&
    (exprs === undefined ||
      (Array.isArray(exprs) &&
        exprs.every(
          (e: unknown) =>
            isRecord(e) &&
            typeof e.key === 'string' &&
            ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator as string) &&
            (e.values === undefined ||
              (Array.isArray(e.values) && e.values.every((v: unknown) => typeof v === 'string'))),
        )));
  if (!shapeOk) return undefined;
  validateLabelSelector(value as LabelSelector, 'spec.namespaceSelector', errors);
  return errors.length === 0 ? compileLabelSelector(value as LabelSelector) : undefined;
}

// readBreakGlass honours a readable breakGlass block; a present but unreadable one refuses break-glass
// (a typo such as `alowed: false` must not turn into "allowed").
function readBreakGlass(value: unknown): CompiledBreakGlass {
  if (value === undefined || value === null)
    return { allowed: true, requireReason: false, allowedGroups: [] };
  const known = ['allowed', 'requireReason', 'allowedGroups'];
  const readable =
    isRecord(value) &&
    Object.keys(value).every((k) => known.includes(k)) &&
    (value.allowed === undefined || typeof value.allowed === 'boolean') &&
    (value.requireReason === undefined || typeof value.requireReason === 'boolean') &&
    (value.allowedGroups === undefined ||
      (Array.isArray(value.allowedGroups) &&
        value.allowedGroups.every((g: unknown) => typeof g === 'string')));
  if (!readable) return { allowed: false, requireReason: false, allowedGroups: [] };
  return {
    allowed: (value.allowed as boolean | undefined) ?? true,
    requireReason: (value.requireReason as boolean | undefined) ?? false,
    allowedGroups: [...((value.allowedGroups as string[] | undefined) ?? [])],
  };
}
