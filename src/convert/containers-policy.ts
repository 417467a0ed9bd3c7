// `portcullis policy from-containers-policy`: containers-policy.json(5) (the image trust policy of Podman, CRI-O and
// Confidential Containers' image-rs) as ClusterImagePolicies. Only `transports.docker` and `default` decide what a
// Kubernetes node pulls; containers/image lets the most specific scope alone decide (containers-policy-scope.ts), and
// requires every requirement of that scope (containers-policy-requirement.ts). See docs/migration.md.
import { POLICY_API_VERSION, type PolicyObject } from '../policy/crd/crd.types';
import type { FieldError } from '../policy/errors';
import { isRecord } from '../guards';
import { DEFAULT_REACH, dockerScopeReach, type ScopeReach } from './containers-policy-scope';
import { readRequirement, type KeyFileReader, type Requirement } from './containers-policy-requirement';
import {
  entriesOf,
  resolveMostSpecific,
  type EmittedRule,
  type NoMatchSetting,
  type PeerRule,
  type RuleOutcome,
} from './most-specific';
import { toDnsLabel } from './peer-input';
import { ConversionRecorder, convertInvalid, type Conversion } from './report';

/** The peer's name in messages. */
const FROM = 'containers-policy.json';
/** Largest policy.json read (the file is attacker-influenced configuration). */
export const MAX_CONTAINERS_POLICY_BYTES = 1024 * 1024;

/** Options of the conversion. */
export interface ContainersPolicyOptions {
  readonly noMatch: NoMatchSetting;
  readonly readKey: KeyFileReader;
  readonly lookaside?: string;
}

/** Converts policy.json text; throws POLICY_CONVERT_INVALID (with JSON paths) or POLICY_CONVERT_UNMAPPABLE. */
export function convertContainersPolicy(text: string, options: ContainersPolicyOptions): Conversion {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONTAINERS_POLICY_BYTES)
    throw convertInvalid(FROM, `the file is larger than ${MAX_CONTAINERS_POLICY_BYTES} bytes`);
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    throw convertInvalid(FROM, `not valid JSON (${(error as Error).message.slice(0, 200)})`);
  }
  if (!isRecord(root)) throw convertInvalid(FROM, 'the policy is not a JSON object');
  const rec = new ConversionRecorder();
  const invalid: FieldError[] = [];
  const ctx = {
    rec,
    invalid,
    readKey: options.readKey,
    shapeOnly: false,
    ...(options.lookaside ? { lookaside: options.lookaside } : {}),
  };
  for (const key of Object.keys(root))
    if (key !== 'default' && key !== 'transports')
      invalid.push({
        path: JSON.stringify(key),
        code: 'POLICY_CONVERT_INVALID',
        message: `unknown field ${JSON.stringify(key)}`,
      });
  const transports = isRecord(root.transports) ? root.transports : {};
  if (root.transports !== undefined && !isRecord(root.transports))
    invalid.push({ path: 'transports', code: 'POLICY_CONVERT_INVALID', message: 'must be an object' });
  const docker = isRecord(transports.docker) ? transports.docker : {};
  const rules: PeerRule[] = [];
  if (root.default === undefined)
    invalid.push({
      path: 'default',
      code: 'POLICY_CONVERT_INVALID',
      message: 'default is required (containers/image: "Default policy is missing")',
    });
  else if (Object.hasOwn(docker, ''))
    readScope(root.default, 'default', 'default', DEFAULT_REACH, { ...ctx, shapeOnly: true });
  else pushRule(rules, readScope(root.default, 'default', 'default', DEFAULT_REACH, ctx));
  for (const [transport, scopes] of Object.entries(transports)) {
    const at = `transports.${JSON.stringify(transport).slice(1, -1)}`;
    if (!isRecord(scopes)) {
      invalid.push({ path: at, code: 'POLICY_CONVERT_INVALID', message: 'must be an object of scopes' });
      continue;
    }
    const isDocker = transport === 'docker';
    if (!isDocker)
      rec.unmapped(
        at,
        `the ${transport} transport: a Kubernetes node pulls images through the docker transport only`,
      );
    for (const [scope, reqs] of Object.entries(scopes)) {
      const path = `${at}[${JSON.stringify(scope)}]`;
      const reach = isDocker ? dockerScopeReach(scope) : DEFAULT_REACH;
      const shapeOnly = !isDocker || reach.kind !== 'globs';
      const rule = readScope(reqs, path, scope, reach, { ...ctx, shapeOnly });
      if (!isDocker) continue;
      if (reach.kind === 'never') rec.note(path, `${reach.reason}; no policy is generated for it`);
      else if (reach.kind === 'digest') rec.refuse(path, reach.reason);
      else pushRule(rules, rule);
    }
  }
  if (invalid.length > 0)
    throw convertInvalid(FROM, invalid.map((e) => `${e.path}: ${e.message}`).join('; '), invalid);
  const emitted = resolveMostSpecific(FROM, rules, options.noMatch, rec, { exclude: true });
  return rec.finish(FROM, toPolicies(emitted));
}

// pushRule keeps a rule that could be read.
function pushRule(rules: PeerRule[], rule: PeerRule | undefined): void {
  if (rule !== undefined) rules.push(rule);
}

// readScope reads a scope's requirement list into one rule: all of them must pass (containers/image ANDs them).
function readScope(
  raw: unknown,
  path: string,
  scope: string,
  reach: ScopeReach,
  ctx: Parameters<typeof readRequirement>[2],
): PeerRule | undefined {
  if (!Array.isArray(raw) || raw.length === 0) {
    ctx.invalid.push({
      path,
      code: 'POLICY_CONVERT_INVALID',
      message: 'must be a non-empty list of requirements',
    });
    return undefined;
  }
  const reqs = raw.map((r: unknown, i) => readRequirement(r, `${path}[${i}]`, ctx));
  if (reach.kind !== 'globs' || ctx.shapeOnly) return undefined;
  return {
    source: path,
    pattern: scope === 'default' ? 'default' : scope,
    globs: reach.globs,
    ...(reach.tags ? { tags: reach.tags } : {}),
    rank: reach.rank,
    outcome: outcome(reqs, path, ctx.rec),
  };
}

// outcome folds a scope's requirements: any reject denies, only insecureAcceptAnything admits, else each verifies.
function outcome(
  reqs: readonly (Requirement | undefined)[],
  path: string,
  rec: ConversionRecorder,
): RuleOutcome {
  const known = reqs.filter((r): r is Requirement => r !== undefined);
  const reject = known.find((r) => r.kind === 'reject');
  if (reject?.kind === 'reject') {
    if (reject.why !== 'reject') rec.semantics(path, `${reject.why}; the scope is converted as reject`);
    return { kind: 'deny' };
  }
  const verify = known.flatMap((r) => (r.kind === 'verify' ? [r.authority] : []));
  if (verify.length === 0 && known.length === reqs.length) return { kind: 'allow' };
  if (verify.length < known.length)
    rec.note(
      path,
      'insecureAcceptAnything next to other requirements adds nothing (every requirement must pass)',
    );
  return { kind: 'verify', specs: verify.map((authority) => ({ authorities: [authority] })) };
}

// toPolicies makes one ClusterImagePolicy per requirement of each verifying scope, so that each must pass; each
// excludes the images of more specific scopes, which containers/image lets decide alone.
function toPolicies(rules: readonly EmittedRule[]): PolicyObject[] {
  const out: PolicyObject[] = [];
  const used = new Set<string>();
  for (const rule of rules) {
    if (rule.outcome.kind !== 'verify') continue;
    const base =
      `containers-policy-${toDnsLabel(rule.pattern === '' ? 'docker-default' : rule.pattern, 'scope')}`.slice(
        0,
        56,
      );
    rule.outcome.specs.forEach((spec, n) => {
      let name = n > 0 ? `${base}-${n + 1}` : base;
      for (let k = 2; used.has(name); k++) name = `${base}-x${k}`;
      used.add(name);
      out.push({
        apiVersion: POLICY_API_VERSION,
        kind: 'ClusterImagePolicy',
        metadata: {
          name,
          annotations: { 'portcullis.dev/converted-from': `containers-policy.json ${rule.source}` },
        },
        spec: {
          images: entriesOf(rule),
          ...(rule.excludes.length > 0 ? { excludeImages: [...rule.excludes] } : {}),
          ...spec,
        },
      });
    });
  }
  return out;
}
