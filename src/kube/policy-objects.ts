import type { KubernetesObject } from '@kubernetes/client-node';
import {
  compilePolicies,
  POLICY_API_GROUP,
  POLICY_API_VERSION,
  type CompiledPolicy,
  type CompiledPolicySet,
  type PolicyError,
  type PolicyStatus,
  type ConfigMapLookup,
  type SecretLookup,
} from '../policy';
import { isRecord } from '../guards';

/** The served version of both policy CRDs. */
export const POLICY_VERSION = 'v1alpha1';
/** At most this many distinct Secrets are read for policies; more is a configuration smell (and a cost). */
export const MAX_POLICY_SECRETS = 256;
/** At most this many distinct ConfigMaps (trusted roots) are read for policies. */
export const MAX_POLICY_CONFIGMAPS = 64;

/** Where each policy kind lives in the API. */
export const POLICY_RESOURCES = {
  ClusterImagePolicy: { plural: 'clusterimagepolicies', namespaced: false },
  ImagePolicy: { plural: 'imagepolicies', namespaced: true },
} as const;

export type PolicyKindName = keyof typeof POLICY_RESOURCES;

/** A policy object as the API server sends it (attacker-influenced: any user who may edit policies). */
export interface PolicyResource extends KubernetesObject {
  spec?: unknown;
  status?: PolicyStatus;
}

/** A Secret (or ConfigMap) a policy names, by namespace and name. */
export interface SecretKey {
  readonly namespace: string;
  readonly name: string;
}

/** `/apis/portcullis.dev/v1alpha1/<plural>`: the list/watch path across all namespaces. */
export function policyPath(kind: PolicyKindName): string {
  return `/apis/${POLICY_API_GROUP}/${POLICY_VERSION}/${POLICY_RESOURCES[kind].plural}`;
}

/** List items may lack apiVersion and kind; compiling needs both, and we know them from the informer. */
export function withKind(obj: PolicyResource, kind: PolicyKindName): PolicyResource {
  return obj.kind === kind && obj.apiVersion === POLICY_API_VERSION
    ? obj
    : { ...obj, kind, apiVersion: POLICY_API_VERSION };
}

// readRef reads a `{name, namespace}` secretRef; an ImagePolicy may only name Secrets of its namespace,
// so a ref elsewhere is not fetched at all (validation rejects it; reading it would be a confused deputy).
function readRef(value: unknown, kind: string, own: string | undefined): SecretKey | undefined {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') return undefined;
  const ns = typeof value.namespace === 'string' ? value.namespace : undefined;
  if (kind === 'ImagePolicy') {
    if (own === undefined || (ns !== undefined && ns !== own)) return undefined;
    return { namespace: own, name: value.name };
  }
  return ns === undefined || ns === '' ? undefined : { namespace: ns, name: value.name };
}

/**
 * The Secrets policies name (cosign `key.secretRef`, `registry.credentials[].secretRef`), deduplicated and
 * sorted, at most MAX_POLICY_SECRETS. Reads unvalidated objects defensively: validation comes later.
 */
export function collectSecretRefs(objs: readonly PolicyResource[]): SecretKey[] {
  return collectRefs(objs, MAX_POLICY_SECRETS, (spec) => {
    const refs: unknown[] = [];
    for (const a of Array.isArray(spec.authorities) ? spec.authorities : []) {
      if (isRecord(a) && isRecord(a.cosign) && isRecord(a.cosign.key)) refs.push(a.cosign.key.secretRef);
    }
    const registry = isRecord(spec.registry) ? spec.registry : {};
    for (const c of Array.isArray(registry.credentials) ? registry.credentials : []) {
      if (isRecord(c)) refs.push(c.secretRef);
    }
    return refs;
  });
}

/**
 * The ConfigMaps policies name (cosign `keyless.trustedRoot.configMapRef`), deduplicated and sorted, at most
 * MAX_POLICY_CONFIGMAPS, under the same namespace rules as Secrets.
 */
export function collectConfigMapRefs(objs: readonly PolicyResource[]): SecretKey[] {
  return collectRefs(objs, MAX_POLICY_CONFIGMAPS, (spec) =>
    (Array.isArray(spec.authorities) ? spec.authorities : []).map((a: unknown) => {
      const keyless = isRecord(a) && isRecord(a.cosign) ? a.cosign.keyless : undefined;
      const root = isRecord(keyless) ? keyless.trustedRoot : undefined;
      return isRecord(root) ? root.configMapRef : undefined;
    }),
  );
}

// collectRefs gathers the `{name, namespace}` references `pick` finds in each spec, deduplicated, sorted, bounded.
function collectRefs(
  objs: readonly PolicyResource[],
  max: number,
  pick: (spec: Record<string, unknown>) => unknown[],
): SecretKey[] {
  const found = new Map<string, SecretKey>();
  for (const obj of objs) {
    const spec = isRecord(obj.spec) ? obj.spec : {};
    for (const ref of pick(spec)) {
      const key = readRef(ref, obj.kind ?? '', obj.metadata?.namespace);
      if (key) found.set(`${key.namespace}/${key.name}`, key);
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, max)
    .map(([, key]) => key);
}

/** What compiling one object gave: the compiled policy, or the error that made it not ready. */
export type CompileOutcome = { readonly policy: CompiledPolicy } | { readonly error: PolicyError };

/** Compiles every object and pairs each with its outcome, in input order (for status writing). */
export function compileWithOutcomes(
  objs: readonly PolicyResource[],
  secrets: SecretLookup,
  configMaps?: ConfigMapLookup,
): { set: CompiledPolicySet; outcomes: CompileOutcome[] } {
  const set = compilePolicies(objs, { secrets, ...(configMaps ? { configMaps } : {}) });
  const broken = new Map(set.broken.map((b) => [b.index, b]));
  let next = 0;
  const outcomes = objs.map((_obj, index): CompileOutcome => {
    const b = broken.get(index);
    if (b) return { error: b.error };
    const policy = set.policies[next++];
    if (!policy) throw new Error('compilePolicies returned fewer policies than objects'); // a bug, not input
    return { policy };
  });
  return { set, outcomes };
}
