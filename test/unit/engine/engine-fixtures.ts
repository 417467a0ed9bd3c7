// Shared fixtures of the engine tests: a counting registry, the engine's deps, and request inputs.
import { toAdmissionFacts } from '../../../src/admission';
import type { AdmissionRequestFacts } from '../../../src/admission/admission.types';
import type { AuthorityOutcome } from '../../../src/policy/decide/decision.types';
import { TtlCache } from '../../../src/ttl-cache';
import { VerificationHistory } from '../../../src/engine/history';
import { Coalescer } from '../../../src/engine/coalesce';
import { type RequestEvaluationInput } from '../../../src/engine/evaluate-request';
import type { ImageEvaluationDeps } from '../../../src/engine/evaluate-image';
import type { PolicySnapshot } from '../../../src/policy-sources/snapshot';
import { VerdictCache } from '../../../src/engine/verdict-cache';
import { silentLogger } from '../../../src/observability/logger';
import { compilePolicies } from '../../../src/policy';
import { toNamespaceLabelFacts } from '../../../src/policy/decide/namespace-labels';
import { ANONYMOUS } from '../../../src/registry';
import type { Descriptor, RegistryReader } from '../../../src/registry/registry.types';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import { podRequest as podRequestOf } from '../../harness/pod-request';
import { clusterPolicy, secretsOf } from '../policy/helpers';

export const DIGEST = `sha256:${'cd'.repeat(32)}`;

// countingRegistry resolves every tag to DIGEST after `delayMs`, counting calls.
export function countingRegistry(delayMs = 5): RegistryReader & { resolves: number } {
  const reg = {
    resolves: 0,
    async resolve(): Promise<Descriptor> {
      reg.resolves += 1;
      await new Promise((r) => setTimeout(r, delayMs));
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 100 };
    },
    getManifest: () => Promise.reject(new Error('not used')),
    listReferrers: () => Promise.reject(new Error('not used')),
    getBlob: () => Promise.reject(new Error('not used')),
  };
  return reg;
}

export type VerifyFn = ImageEvaluationDeps['verify'];

// deps wires the engine around a registry and a verify function.
export function deps(
  registry: RegistryReader,
  verify: VerifyFn,
  now: () => number = Date.now,
  tagTtlMs = 0,
): ImageEvaluationDeps {
  return {
    registry,
    verify,
    cache: new VerdictCache(now),
    resolutions: new Coalescer<Descriptor>(),
    resolved: new TtlCache<Descriptor>(tagTtlMs, 100, now),
    verifications: new Coalescer<AuthorityOutcome>(),
    history: new VerificationHistory(now),
    logger: silentLogger(),
    now,
  };
}

// podRequest builds a CREATE of a Pod with the given images and annotations.
export function podRequest(
  images: string[],
  annotations: Record<string, string> = {},
): AdmissionRequestFacts {
  return podRequestOf(images, { annotations });
}

// input evaluates against one compiled snapshot with a deadline `budgetMs` away.
export function input(
  request: AdmissionRequestFacts,
  snapshot: PolicySnapshot,
  budgetMs = 2_000,
): RequestEvaluationInput {
  return {
    facts: toAdmissionFacts(request),
    snapshot,
    deadline: Date.now() + budgetMs,
    namespaceLabels: toNamespaceLabelFacts(request.namespace, {}),
    noMatch: 'deny',
    credentialsFor: async () => ({ source: ANONYMOUS, key: 'anon' }),
  };
}

export const snapshot: PolicySnapshot = compilePolicies([clusterPolicy()], { secrets: secretsOf() });
export const pass: VerifyFn = async (target, authority): Promise<Evidence> => ({
  scheme: 'cosign',
  authority: authority.name,
  summary: `ok ${target.digest}`,
});
