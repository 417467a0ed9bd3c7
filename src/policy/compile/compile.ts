import { createHash } from 'node:crypto';
import { compileImageGlob } from '../../reference/glob';
import type { CompiledAuthority, CompiledPolicy, ImageEntryMatcher } from './compiled.types';
import type { Authority, ImageGlob, PolicyObject, SecretKeyRef, SecretRef } from '../crd/crd.types';
import { formatFieldErrors, PolicyError, type FieldError, type PolicyErrorCode } from '../errors';
import { compileCosignAuthority } from '../authorities/cosign';
import { resolveTrustedRoot } from '../authorities/trusted-root-ref';
import { compileLabelSelector } from '../decide/label-selector';
import { compileNotationAuthority } from '../authorities/notation';
import { compileNotaryV1Authority } from '../authorities/notary-v1';
import { compileOciVaultAuthority } from '../authorities/oracle-vault';
import { compileSimpleSigningAuthority } from '../authorities/simple-signing';
import { validatePolicyObject } from './validate';
import { isRecord } from '../../guards';
import { toEncryptionRule, toPlacement } from './placement';
import { DEFAULT_MAX_STALENESS_MS, STALENESS_UNIT_MS } from '../limits';

/** Reads Secrets by namespace and name; values are already base64-decoded. Passed in (cluster or files). */
export interface SecretLookup {
  get(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
}

/** Reads ConfigMaps by namespace and name (`data`, with `binaryData` decoded). Passed in (cluster or files). */
export interface ConfigMapLookup {
  get(namespace: string, name: string): Readonly<Record<string, string>> | undefined;
}

export interface CompileOptions {
  readonly secrets: SecretLookup;
  /** ConfigMaps a `keyless.trustedRoot.configMapRef` may name; without it, every such reference is not found. */
  readonly configMaps?: ConfigMapLookup;
  /** Namespace for an ImagePolicy without metadata.namespace. */
  readonly defaultNamespace?: string;
}

const DEFAULT_THRESHOLD = 1;
/** A failed compile throws one of these when every error has it; otherwise POLICY_INVALID. */
const SPECIFIC_CODES: readonly PolicyErrorCode[] = [
  'POLICY_KEY_INVALID',
  'POLICY_SECRET_NOT_FOUND',
  'POLICY_SECRET_INVALID',
  'POLICY_CONFIGMAP_NOT_FOUND',
  'POLICY_TRUSTED_ROOT_INVALID',
  'POLICY_AUTHORITY_UNSUPPORTED',
  'POLICY_CEL_INVALID',
];

/** `ClusterImagePolicy/name` or `ImagePolicy/ns/name`. */
export function policyId(kind: PolicyObject['kind'], name: string, namespace?: string): string {
  return kind === 'ClusterImagePolicy' ? `${kind}/${name}` : `${kind}/${namespace ?? ''}/${name}`;
}

/**
 * Validates and compiles one policy object: globs, label selector, keys (secretRefs resolved now),
 * registry credentials. Throws PolicyError listing every field error (`fieldErrors`); its code is the one
 * code of SPECIFIC_CODES (e.g. POLICY_SECRET_NOT_FOUND) that every error has, POLICY_INVALID otherwise.
 */
export function compilePolicy(obj: unknown, options: CompileOptions): CompiledPolicy {
  const { policy, errors } = validatePolicyObject(obj, options);
  if (!policy) throw invalidPolicy(describeObject(obj), errors);
  const { kind, metadata, spec } = policy;
  const namespace = kind === 'ImagePolicy' ? metadata.namespace : undefined;
  const id = policyId(kind, metadata.name, namespace);
  const compileErrors: FieldError[] = [];
  const authorities = spec.authorities.map((a, i) =>
    compileAuthority(a, `spec.authorities[${i}]`, namespace, options, compileErrors),
  );
  const credentials = (spec.registry?.credentials ?? []).flatMap((c, i) => {
    const payload = resolveDockerConfig(
      c.secretRef,
      `spec.registry.credentials[${i}].secretRef`,
      namespace,
      options.secrets,
      compileErrors,
    );
    return payload === undefined ? [] : [payload];
  });
  if (compileErrors.length > 0) throw invalidPolicy(id, compileErrors);
  const generation = metadata.generation ?? 0;
  const material = fingerprint(spec, authorities, credentials);
  const selector = kind === 'ClusterImagePolicy' ? policy.spec.namespaceSelector : undefined;
  return {
    kind,
    name: metadata.name,
    ...(namespace !== undefined ? { namespace } : {}),
    generation,
    id,
    cacheKey: `${id}@${generation}:${material}`,
    mode: spec.mode ?? 'enforce',
    images: spec.images.map(compileImageEntry),
    excludeImages: (spec.excludeImages ?? []).map(compileImageEntry),
    ...(selector ? { namespaceSelector: compileLabelSelector(selector) } : {}),
    requireDigest: spec.requireDigest ?? false,
    threshold: spec.threshold ?? DEFAULT_THRESHOLD,
    authorities: authorities.filter((a): a is CompiledAuthority => a !== undefined),
    breakGlass: {
      allowed: spec.breakGlass?.allowed ?? true,
      requireReason: spec.breakGlass?.requireReason ?? false,
      allowedGroups: [...(spec.breakGlass?.allowedGroups ?? [])],
    },
    registry: {
      credentials,
      onError: spec.registry?.onError ?? 'deny',
      maxStalenessMs: toStalenessMs(spec.registry?.maxStaleness),
    },
    encryption: toEncryptionRule(spec.encryption),
    ...(spec.placement ? { placement: toPlacement(spec.placement) } : {}),
  };
}

// compileImageEntry compiles an images or excludeImages entry (already validated) once per policy change.
function compileImageEntry(entry: ImageGlob): ImageEntryMatcher {
  const glob = compileImageGlob(entry.glob);
  if (entry.tags === undefined) return glob;
  const tags: ReadonlySet<string> = new Set(entry.tags);
  return { glob: entry.glob, tags, matches: (name: string) => glob.matches(name) };
}

// toStalenessMs reads registry.maxStaleness, which validation admitted (<n>m|h|d, at most MAX_STALENESS_MS).
function toStalenessMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_STALENESS_MS;
  return Number(text.slice(0, -1)) * (STALENESS_UNIT_MS[text.slice(-1)] ?? 0);
}

// invalidPolicy builds the one error a failed compile throws, with every field error in it.
function invalidPolicy(id: string, errors: readonly FieldError[]): PolicyError {
  const codes = new Set(errors.map((e) => e.code));
  const only = codes.size === 1 ? [...codes][0] : undefined;
  const code: PolicyErrorCode = only && SPECIFIC_CODES.includes(only) ? only : 'POLICY_INVALID';
  const first = errors[0];
  return new PolicyError(code, `policy ${id} is invalid:\n${formatFieldErrors(errors)}`, {
    fieldErrors: errors,
    details: { policy: id, errors: errors.length, ...(first ? { field: first.path } : {}) },
  });
}

// describeObject names an object that failed validation as precisely as its fields allow.
export function describeObject(obj: unknown): string {
  if (typeof obj !== 'object' || obj === null) return '<not an object>';
  const o = obj as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  const kind = typeof o.kind === 'string' ? o.kind : '<no kind>';
  const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '<no name>';
  const ns = typeof o.metadata?.namespace === 'string' ? `${o.metadata.namespace}/` : '';
  return kind === 'ClusterImagePolicy' ? `${kind}/${name}` : `${kind}/${ns}${name}`;
}

// compileAuthority hands each validated authority to the compiler of its kind.
function compileAuthority(
  authority: Authority,
  at: string,
  namespace: string | undefined,
  { secrets, configMaps }: CompileOptions,
  errors: FieldError[],
): CompiledAuthority | undefined {
  if (authority.notaryV1)
    return compileNotaryV1Authority(authority.name, authority.notaryV1, `${at}.notaryV1`, errors);
  if (authority.notation)
    return compileNotationAuthority(authority.name, authority.notation, `${at}.notation`, errors);
  if (authority.ociVault)
    return compileOciVaultAuthority(
      authority.name,
      authority.ociVault,
      `${at}.ociVault`,
      (ref, path) => lookupSecret(ref, path, namespace, secrets, errors),
      errors,
    );
  if (authority.simpleSigning)
    return compileSimpleSigningAuthority(
      authority.name,
      authority.simpleSigning,
      `${at}.simpleSigning`,
      (ref, path) => resolveSecretKey(ref, path, namespace, secrets, errors),
      errors,
    );
  if (!authority.cosign) return undefined;
  const cosign = authority.cosign;
  return compileCosignAuthority(
    authority.name,
    cosign,
    `${at}.cosign`,
    {
      keyText: (path) => {
        const ref = cosign.key?.secretRef;
        if (!ref) return undefined;
        const text = resolveSecretKey(ref, path, namespace, secrets, errors);
        return text === undefined
          ? undefined
          : { text, context: `Secret ${secretName(ref, namespace)} key "${ref.key}"` };
      },
      trustedRoot: (ref, path, errs) => resolveTrustedRoot(ref, path, namespace, configMaps, errs),
    },
    errors,
  );
}

// secretName renders namespace/name for messages.
function secretName(ref: SecretRef, namespace: string | undefined): string {
  return `${ref.namespace ?? namespace ?? ''}/${ref.name}`;
}

// lookupSecret finds a referenced Secret, recording a field error that names it when it is missing.
function lookupSecret(
  ref: SecretRef,
  path: string,
  namespace: string | undefined,
  secrets: SecretLookup,
  errors: FieldError[],
): Readonly<Record<string, string>> | undefined {
  const data = secrets.get(ref.namespace ?? namespace ?? '', ref.name);
  if (!data)
    errors.push({
      path,
      code: 'POLICY_SECRET_NOT_FOUND',
      message: `Secret ${secretName(ref, namespace)} not found`,
    });
  return data;
}

// resolveSecretKey reads one key of a Secret, naming the field when the Secret or the key is missing.
function resolveSecretKey(
  ref: SecretKeyRef,
  path: string,
  namespace: string | undefined,
  secrets: SecretLookup,
  errors: FieldError[],
): string | undefined {
  const data = lookupSecret(ref, path, namespace, secrets, errors);
  if (!data) return undefined;
  const value = data[ref.key];
  if (value === undefined) {
    const present = Object.keys(data).sort().join(', ') || 'none';
    errors.push({
      path: `${path}.key`,
      code: 'POLICY_SECRET_NOT_FOUND',
      message: `Secret ${secretName(ref, namespace)} has no key "${ref.key}" (keys present: ${present})`,
    });
    return undefined;
  }
  return value;
}

// resolveDockerConfig turns a pull Secret into a dockerconfigjson string; legacy .dockercfg is wrapped.
function resolveDockerConfig(
  ref: SecretRef,
  path: string,
  namespace: string | undefined,
  secrets: SecretLookup,
  errors: FieldError[],
): string | undefined {
  const data = lookupSecret(ref, path, namespace, secrets, errors);
  if (!data) return undefined;
  const json = data['.dockerconfigjson'];
  const legacy = data['.dockercfg'];
  const text = json ?? (legacy !== undefined ? `{"auths":${legacy}}` : undefined);
  if (text === undefined) {
    errors.push({
      path,
      code: 'POLICY_SECRET_NOT_FOUND',
      message: `Secret ${secretName(ref, namespace)} has no .dockerconfigjson key (is it a kubernetes.io/dockerconfigjson Secret?)`,
    });
    return undefined;
  }
  if (!isJsonObject(text)) {
    // Never quote the payload: it holds registry passwords.
    errors.push({
      path,
      code: 'POLICY_SECRET_INVALID',
      message: `Secret ${secretName(ref, namespace)}: the docker config is not a JSON object`,
    });
    return undefined;
  }
  return text;
}

// isJsonObject checks a credential payload parses, without ever echoing it.
function isJsonObject(text: string): boolean {
  try {
    return isRecord(JSON.parse(text));
  } catch {
    return false;
  }
}

// fingerprint makes the cache key change whenever compiled material changes, even at the same generation
// (a rotated key Secret, or a policy file edited without a generation).
function fingerprint(
  spec: PolicyObject['spec'],
  authorities: readonly (CompiledAuthority | undefined)[],
  credentials: readonly string[],
): string {
  const h = createHash('sha256').update(JSON.stringify(spec));
  for (const a of authorities) for (const id of materialIds(a)) h.update(`\0${a?.name ?? ''}=${id}`);
  for (const c of credentials) h.update('\0cred').update(createHash('sha256').update(c).digest());
  return h.digest('hex').slice(0, 16);
}

// materialIds lists the fingerprints of an authority's parsed keys and certificates.
function materialIds(a: CompiledAuthority | undefined): string[] {
  if (a?.kind === 'cosign') {
    const root = a.keyless?.trustedRoot;
    return [
      ...a.keys.map((k) => k.id),
      ...a.tlog.rekorKeys.map((k) => k.id),
      ...(root?.kind === 'given' ? [root.root.id] : []),
    ];
  }
  if (a?.kind === 'notaryV1') return a.rootKeys.map((k) => k.id);
  if (a?.kind === 'simpleSigning') return a.keys.map((k) => k.fingerprint);
  if (a?.kind === 'notation') return Object.values(a.trustStore).flatMap((l) => l.map((c) => c.id));
  return [];
}
