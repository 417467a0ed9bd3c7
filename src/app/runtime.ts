import type { Logger } from 'pino';
import type { AdmissionFacts } from '../admission/admission.types';
import { Coalescer } from '../engine/coalesce';
import { MAX_CACHED_RESOLUTIONS, TAG_RESOLUTION_TTL_MS } from '../engine/limits';
import { TtlCache } from '../ttl-cache';
import { VerificationHistory } from '../engine/history';
import type { AuthorityOutcome } from '../policy/decide/decision.types';
import { CredentialsBuilder } from '../engine/credentials';
import {
  evaluateRequest,
  type Evaluate,
  type EvaluateOptions,
  type RequestEvaluation,
} from '../engine/evaluate-request';
import { EncryptionCache } from '../engine/image-encryption';
import { pinRequest, type PinInput, type PinPlan } from '../engine/pin-request';
import type { PolicySource } from '../policy-sources/snapshot';
import { VerdictCache } from '../engine/verdict-cache';
import type { Metrics } from '../observability/metrics';
import { RegistryLabels } from '../observability/registry-label';
import type { PullSecretSource } from '../engine/pull-secrets.types';
import { CredentialHelpers, RegistryClient } from '../registry';
import type { Descriptor } from '../registry/registry.types';
import type { BreakGlassSettings } from '../policy/decide/break-glass';
import type { CompiledAuthority } from '../policy/compile/compiled.types';
import { toNamespaceLabelFacts } from '../policy/decide/namespace-labels';
import {
  createCosignVerifier,
  createCrlFetcher,
  createCrlRevocationChecker,
  createNotationVerifier,
  createLazyOciVaultVerifier,
  verifyAuthority,
} from '../verifiers';
import type { VerifyContext, VerifyTarget } from '../verifiers/verifier.types';
import type { RegistryFlags } from './options';
import { PublicGoodRoot, type TufMirror } from '../trust-roots/public-good-root';
import { createSharedCache, type SharedCache } from '../shared-cache';
import type { SharedCacheSettings } from './shared-cache-options';

/** The engine wired to real I/O, shared by serve, verify and review. */
export interface Runtime {
  readonly evaluate: Evaluate;
  /** /mutate: resolves the governed, unpinned images of a Pod to the digests to pin (no verification). */
  readonly pin: (facts: AdmissionFacts, deadline: number) => Promise<PinPlan>;
  readonly registry: RegistryClient;
  /**
   * The public-good Sigstore TrustedRoot in force (embedded, refreshed through TUF once started). Callers
   * start and stop it: serve refreshes periodically, verify and review once.
   */
  readonly publicGood: PublicGoodRoot;
  /**
   * The cache shared by replicas on Valkey (serve --valkey-url), connecting in the background; absent without
   * it. Not yet used by the engine. Callers close it on shutdown.
   */
  readonly sharedCache?: SharedCache;
}

/** A namespace's labels from a label source; undefined when it does not know them (only the name is then known). */
export type NamespaceLabelLookup = Readonly<Record<string, string>> | undefined;

const USER_AGENT = 'portcullis/0.1 (+https://portcullis.dev)';

/** Wires the registry client, cache, coalescer and verifiers around one policy source. */
export function createRuntime(options: {
  flags: RegistryFlags;
  policies: PolicySource;
  logger: Logger;
  metrics?: Metrics;
  now?: () => number;
  /** The pod's and its ServiceAccount's pull secrets (cluster mode); tried before --docker-config. */
  pullSecrets?: PullSecretSource;
  /**
   * Namespace labels for ClusterImagePolicy selectors: the cluster source (async: a namespace not yet in its
   * cache is read once) or --namespace-labels. Asked only for requests that need a review. Without it, or
   * when it answers undefined, only the name label is known.
   */
  namespaceLabels?: (namespace: string) => NamespaceLabelLookup | Promise<NamespaceLabelLookup>;
  /** --tag-ttl: how long a resolution is reused (default TAG_RESOLUTION_TTL_MS). */
  tagTtlMs?: number;
  /** --break-glass-* settings; the defaults (docs/policy.md, "Break-glass") when absent. */
  breakGlass?: BreakGlassSettings;
  /** --tuf-mirror and friends; without it the public-good root is the embedded one and nothing is fetched. */
  tuf?: TufMirror;
  /** --valkey-* settings; without them there is no shared cache. */
  sharedCache?: SharedCacheSettings;
  /** Runs the --docker-config files' credential helpers (a default one searching PATH when absent). */
  credentialHelpers?: CredentialHelpers;
}): Runtime {
  const now = options.now ?? Date.now;
  // The registry label takes only hosts the loaded policies name (a pod could name any host).
  const registryLabels = new RegistryLabels(() => options.policies.current());
  const registry = new RegistryClient({
    insecureRegistries: [...options.flags.insecureRegistries],
    ...(options.flags.registryCa === undefined ? {} : { registryCa: options.flags.registryCa }),
    logger: options.logger,
    userAgent: USER_AGENT,
    onRequest: (host: string, outcome: string) =>
      options.metrics?.registryRequests.inc({ registry: registryLabels.label(host), outcome }),
  });
  const publicGood = new PublicGoodRoot({
    ...(options.tuf ? { mirror: options.tuf } : {}),
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  // --registry-ca is trusted for the OCI Vault signature APIs (sovereign realms, the test stand-in) and for
  // Notation CRL downloads too.
  const ca = options.flags.registryCa;
  const verifiers = {
    cosign: createCosignVerifier({ publicGood: () => publicGood.current() }),
    ociVault: createLazyOciVaultVerifier(ca === undefined ? {} : { ca }),
    notation: createNotationVerifier({
      revocation: createCrlRevocationChecker(
        createCrlFetcher({ ...(ca === undefined ? {} : { registryCa: ca }), now }),
      ),
    }),
  };
  const sharedCache =
    options.sharedCache === undefined
      ? undefined
      : createSharedCache({
          ...options.sharedCache,
          logger: options.logger,
          ...(options.metrics ? { metrics: options.metrics.registry } : {}),
          now,
        });
  const deps = {
    registry,
    verify: (target: VerifyTarget, authority: CompiledAuthority, ctx: VerifyContext) =>
      verifyAuthority(target, authority, ctx, verifiers),
    cache: new VerdictCache(now),
    encryption: new EncryptionCache(),
    resolutions: new Coalescer<Descriptor>(),
    resolved: new TtlCache<Descriptor>(
      options.tagTtlMs ?? TAG_RESOLUTION_TTL_MS,
      MAX_CACHED_RESOLUTIONS,
      now,
    ),
    verifications: new Coalescer<AuthorityOutcome>(),
    history: new VerificationHistory(now),
    ...(sharedCache ? { shared: sharedCache } : {}),
    logger: options.logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    now,
  };
  const credentials = new CredentialsBuilder(
    options.flags.dockerConfigs,
    options.credentialHelpers ?? new CredentialHelpers({ now }),
  );
  // requestInput gathers what both webhooks need for one request: policies, labels, credentials, deadline.
  const requestInput = async (facts: AdmissionFacts, deadline: number): Promise<PinInput> => ({
    facts,
    snapshot: options.policies.current(),
    deadline,
    namespaceLabels: toNamespaceLabelFacts(
      facts.request.namespace,
      facts.needsReview ? await options.namespaceLabels?.(facts.request.namespace) : undefined,
    ),
    credentialsFor: async (policies, pod, namespace) => {
      const podConfigs =
        pod && options.pullSecrets ? await options.pullSecrets.dockerConfigsFor(namespace, pod) : [];
      return credentials.forRequest(podConfigs, policies);
    },
  });
  const evaluate = async (
    facts: AdmissionFacts,
    deadline: number,
    how: EvaluateOptions = {},
  ): Promise<RequestEvaluation> =>
    evaluateRequest(
      {
        ...(await requestInput(facts, deadline)),
        noMatch: options.flags.noMatch,
        ...(options.breakGlass ? { breakGlass: options.breakGlass } : {}),
        requirePinned: how.requirePinned === true,
        outsideCluster: how.outsideCluster === true,
      },
      deps,
    );
  const pin = async (facts: AdmissionFacts, deadline: number): Promise<PinPlan> =>
    pinRequest(await requestInput(facts, deadline), deps);
  return { evaluate, pin, registry, publicGood, ...(sharedCache ? { sharedCache } : {}) };
}
