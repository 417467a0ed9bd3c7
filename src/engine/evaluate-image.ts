import type { Logger } from 'pino';
import type { ImageUse } from '../admission/admission.types';
import { isPortcullisError } from '../errors';
import { isRecord } from '../guards';
import type { CompiledAuthority, CompiledPolicy } from '../policy/compile/compiled.types';
import type { AuthorityOutcome, ImageFacts } from '../policy/decide/decision.types';
import { formatReference, parseImageReference } from '../reference';
import type { ImageRef } from '../reference/reference.types';
import type { CredentialSource, Descriptor, RegistryReader } from '../registry/registry.types';
import type { Evidence, VerifyContext, VerifyTarget } from '../verifiers/verifier.types';
import type { Coalescer } from './coalesce';
import { EngineError } from './errors';
import type { Metrics } from '../observability/metrics';
import { verdictKey, type VerdictCache } from './verdict-cache';
import { verifyOne } from './verify-authority';
import { toFailure } from './outcomes';
import type { SharedStore } from './shared-store';
import type { TtlCache } from '../ttl-cache';
import type { VerificationHistory } from './history';
import { isAvailabilityErrorCode } from '../policy/decide/decide-image';
import { needsEncryptionState } from '../policy/decide/placement';
import { readLayerEncryption, type EncryptionCache } from './image-encryption';

/** What evaluating one image needs; all I/O is in here, handed in by the caller. */
export interface ImageEvaluationDeps {
  readonly registry: RegistryReader;
  readonly verify: (
    target: VerifyTarget,
    authority: CompiledAuthority,
    ctx: VerifyContext,
  ) => Promise<Evidence>;
  readonly cache: VerdictCache;
  /** Layer encryption by digest (spec.encryption, placement.when); without it, read on every evaluation. */
  readonly encryption?: EncryptionCache;
  readonly resolutions: Coalescer<Descriptor>;
  /** Recent resolutions (tag or digest → descriptor), kept for a short TTL (--tag-ttl). */
  readonly resolved: TtlCache<Descriptor>;
  /** Joins concurrent verifications of one digest by one authority (with the same credentials). */
  readonly verifications: Coalescer<AuthorityOutcome>;
  /** What was verified and resolved, and when: for registry.onError: allowVerified. */
  readonly history?: VerificationHistory;
  /** The cache shared by every replica (Valkey); without it each replica verifies for itself. */
  readonly shared?: SharedStore;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly now: () => number;
}

/** Per-image inputs: the governing policies are chosen by the caller (pure matching). */
export interface ImageEvaluationInput {
  readonly use: ImageUse;
  readonly ref: ImageRef;
  readonly policies: readonly CompiledPolicy[];
  /** Outcomes already known without I/O, e.g. for broken policies, keyed by policy id. */
  readonly presetOutcomes: Readonly<Record<string, readonly AuthorityOutcome[]>>;
  readonly credentials: CredentialSource;
  /** Identity of `credentials` for coalescing: two requests share a resolution only with equal credentials. */
  readonly credentialsKey: string;
  readonly deadline: number;
  readonly signal: AbortSignal;
  /**
   * Resolve the tag but verify nothing: /validate of a Pod whose governed image is not pinned denies it
   * anyway (ADMISSION_NOT_PINNED); resolving still lets `registry.onError: allow` speak for an outage.
   */
  readonly resolveOnly?: boolean;
  /** How old a remembered resolution may be when the registry is unreachable (staleAllowance). */
  readonly staleForMs?: number;
}

export { toFailure } from './outcomes';

/** A resolution, and when it is a remembered one used during an outage (allowVerified), when it was made. */
export type ResolvedDescriptor = Descriptor & { readonly staleSince?: number };

// resolveDescriptor finds the digest that will run: from the short-lived resolution cache, or from the
// registry, with concurrent identical lookups sharing one request. Pinning makes the cache safe: what
// runs is the digest that was verified, even if the tag moves within the TTL.
export async function resolveDescriptor(
  input: Pick<
    ImageEvaluationInput,
    'ref' | 'credentials' | 'credentialsKey' | 'deadline' | 'signal' | 'staleForMs'
  >,
  deps: Pick<
    ImageEvaluationDeps,
    'registry' | 'resolutions' | 'resolved' | 'history' | 'metrics' | 'logger' | 'shared'
  >,
): Promise<ResolvedDescriptor> {
  const { ref } = input;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const key = `${ref.registry}/${ref.repository}@${reference}\u0000${input.credentialsKey}`;
  const ctx = { deadline: input.deadline, credentials: input.credentials, signal: input.signal };
  let descriptor = deps.resolved.get(key);
  if (descriptor === undefined) {
    try {
      descriptor = await deps.resolutions.run(key, () =>
        sharedResolution(key, ref.digest === undefined ? deps.resolved.ttl : 0, ctx, deps, () =>
          deps.registry.resolve({ registry: ref.registry, repository: ref.repository }, reference, ctx),
        ),
      );
    } catch (error) {
      const last = staleResolution(key, error, input.staleForMs, deps);
      if (last === undefined) throw error;
      return last;
    }
    deps.resolved.set(key, descriptor);
    deps.history?.recordResolved(key, descriptor);
  }
  if (ref.digest && descriptor.digest !== ref.digest) {
    // A registry answering a digest request with other content is hostile or broken.
    throw new EngineError(
      'ENGINE_RESOLVED_WRONG_DIGEST',
      `registry ${ref.registry} answered ${descriptor.digest} when asked for ${ref.digest} of ${ref.repository}`,
    );
  }
  return descriptor;
}

// sharedResolution reuses a tag resolution another replica stored (for `ttlMs`, the --tag-ttl), or resolves
// it under the cluster-wide single-flight, so that a new tag rolled out on every replica at once is resolved
// once. Digests and a zero TTL bypass the store.
async function sharedResolution(
  key: string,
  ttlMs: number,
  bounds: { deadline: number; signal?: AbortSignal },
  deps: Pick<ImageEvaluationDeps, 'shared'>,
  resolve: () => Promise<Descriptor>,
): Promise<Descriptor> {
  const { shared } = deps;
  if (shared === undefined || ttlMs <= 0) return resolve();
  const stored = toDescriptor(await shared.get('resolution', key, bounds));
  if (stored !== undefined) return stored;
  let own: Descriptor | undefined;
  const result = await shared.singleFlight(
    key,
    bounds.deadline,
    async () => {
      own = await resolve();
      const { mediaType, digest, size } = own;
      return { kind: 'resolution', value: JSON.stringify({ mediaType, digest, size }), ttlMs };
    },
    bounds.signal,
  );
  if (own !== undefined) return own;
  // Another replica's answer that does not parse (or is not a resolution) is ignored: resolve here.
  return (result.kind === 'resolution' ? toDescriptor(result.value) : undefined) ?? resolve();
}

const DIGEST_TEXT = /^sha256:[a-f0-9]{64}$/;

// toDescriptor reads a stored resolution as untrusted JSON; anything unexpected is a miss.
function toDescriptor(text: string | undefined): Descriptor | undefined {
  if (text === undefined || text.length > 1024) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    if (!isRecord(v)) return undefined;
    const { mediaType, digest, size } = v;
    if (typeof mediaType !== 'string' || typeof digest !== 'string' || !DIGEST_TEXT.test(digest))
      return undefined;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
    return { mediaType, digest, size };
  } catch {
    return undefined;
  }
}

// staleResolution is the remembered resolution allowVerified may use when the registry is unreachable.
function staleResolution(
  key: string,
  error: unknown,
  staleForMs: number | undefined,
  deps: Pick<ImageEvaluationDeps, 'history' | 'metrics' | 'logger'>,
): ResolvedDescriptor | undefined {
  if (staleForMs === undefined || !isPortcullisError(error) || !isAvailabilityErrorCode(error.code)) {
    return undefined;
  }
  const last = deps.history?.resolvedWithin(key, staleForMs);
  if (last === undefined) return undefined;
  deps.metrics?.staleAdmissions.inc({ what: 'resolution' });
  deps.logger.warn(
    { code: error.code, digest: last.descriptor.digest, resolvedAt: new Date(last.at).toISOString() },
    'registry unreachable: using the last resolution (registry.onError: allowVerified)',
  );
  return { ...last.descriptor, staleSince: last.at };
}

/**
 * How old a remembered resolution may be for these policies: defined only when every one of them says
 * `onError: allowVerified` (the strictest maxStaleness wins), so no other policy's rule is weakened.
 */
export function staleAllowance(policies: readonly CompiledPolicy[]): number | undefined {
  if (policies.length === 0 || policies.some((p) => p.registry.onError !== 'allowVerified')) return undefined;
  return Math.min(...policies.map((p) => p.registry.maxStalenessMs));
}

// evaluateImage resolves one governed image and runs every authority of every governing policy.
// A digest reference whose verdicts are all cached is answered without any registry request.
export async function evaluateImage(
  input: ImageEvaluationInput,
  deps: ImageEvaluationDeps,
): Promise<ImageFacts> {
  const base = {
    image: input.use.image,
    field: input.use.field,
    pointer: input.use.pointer,
    normalized: formatReference(input.ref),
    policies: input.policies,
  };
  const live = input.policies.filter((p) => !(p.id in input.presetOutcomes));
  if (live.length === 0) return { ...base, outcomes: input.presetOutcomes };
  const blocker = digestBlocker(input.ref, live);
  if (blocker !== undefined) {
    // requireDigest denies before any registry contact: nothing about this image is looked up.
    return {
      ...base,
      outcomes: input.presetOutcomes,
      skipped: `not looked up: policy ${blocker.id} requires a digest and the reference has none`,
    };
  }
  const pinned = input.ref.digest;
  const judgesEncryption = live.some(needsEncryptionState);
  if (pinned !== undefined && !input.resolveOnly) {
    const state = judgesEncryption ? deps.encryption?.get(pinned) : undefined;
    const warm =
      judgesEncryption && state === undefined ? undefined : cachedOutcomes(input.ref, pinned, live, deps);
    if (warm !== undefined) {
      const encryption = state === undefined ? {} : { encryption: state };
      return { ...base, digest: pinned, outcomes: { ...input.presetOutcomes, ...warm }, ...encryption };
    }
  }
  const located = await locate({ ...input, staleForMs: staleAllowance(live) }, deps);
  if ('resolveError' in located) {
    return { ...base, outcomes: input.presetOutcomes, resolveError: located.resolveError };
  }
  const stale =
    located.staleSince === undefined
      ? {}
      : { staleResolutionMinutes: Math.round((deps.now() - located.staleSince) / 60_000) };
  if (input.resolveOnly) {
    return {
      ...base,
      ...stale,
      digest: located.digest,
      outcomes: input.presetOutcomes,
      skipped: 'not verified',
    };
  }
  const target: VerifyTarget = {
    ref: input.ref,
    repo: { registry: input.ref.registry, repository: input.ref.repository },
    digest: located.digest,
    descriptor: located.descriptor,
  };
  const ctx: VerifyContext = {
    registry: deps.registry,
    request: { deadline: input.deadline, credentials: input.credentials, signal: input.signal },
    now: () => new Date(deps.now()),
    logger: deps.logger,
  };
  const outcomes: Record<string, readonly AuthorityOutcome[]> = { ...input.presetOutcomes };
  const [encryption] = await Promise.all([
    judgesEncryption ? encryptionFacts(target, ctx, deps) : {},
    ...live.map(async (policy) => {
      if (policy.requireDigest && !input.ref.digest) return; // the pure decision denies it; no need to verify
      outcomes[policy.id] = await Promise.all(
        policy.authorities.map((a) => verifyOne(target, policy, a, ctx, input.credentialsKey, deps)),
      );
    }),
  ]);
  return { ...base, ...stale, digest: located.digest, outcomes, ...encryption };
}

// encryptionFacts reads (or recalls) the layer encryption of the digest; a failure is reported, not thrown,
// and denies only the policies that judge encryption.
async function encryptionFacts(
  target: VerifyTarget,
  ctx: VerifyContext,
  deps: ImageEvaluationDeps,
): Promise<Pick<ImageFacts, 'encryption' | 'encryptionError'>> {
  const known = deps.encryption?.get(target.digest);
  if (known !== undefined) return { encryption: known };
  try {
    const state = await readLayerEncryption(deps.registry, target.repo, target.digest, ctx.request);
    deps.encryption?.set(target.digest, state);
    return { encryption: state };
  } catch (error) {
    const failure = toFailure('registry', error) as Extract<AuthorityOutcome, { ok: false }>;
    return { encryptionError: { code: failure.code, reason: failure.reason } };
  }
}

type Located =
  | {
      readonly digest: string;
      readonly descriptor: () => Promise<Descriptor>;
      /** Set when the digest comes from a remembered resolution (see ResolvedDescriptor). */
      readonly staleSince?: number;
    }
  | { readonly resolveError: { readonly code: string; readonly reason: string } };

// locate finds the digest that will run: a digest reference needs no request (its descriptor is fetched
// only if a scheme signs it); a tag is resolved now, because the digest is what gets verified and pinned.
async function locate(input: ImageEvaluationInput, deps: ImageEvaluationDeps): Promise<Located> {
  const pinned = input.ref.digest;
  if (pinned !== undefined) {
    let once: Promise<Descriptor> | undefined;
    return { digest: pinned, descriptor: () => (once ??= resolveDescriptor(input, deps)) };
  }
  try {
    const descriptor = await resolveDescriptor(input, deps);
    const stale = descriptor.staleSince === undefined ? {} : { staleSince: descriptor.staleSince };
    return { digest: descriptor.digest, descriptor: () => Promise.resolve(descriptor), ...stale };
  } catch (error) {
    const failure = toFailure('registry', error) as Extract<AuthorityOutcome, { ok: false }>;
    return { resolveError: { code: failure.code, reason: failure.reason } };
  }
}

// cachedOutcomes answers every authority of every live policy from the verdict cache, or gives up at the
// first miss (a partial answer would still need the registry, so it saves nothing).
function cachedOutcomes(
  ref: ImageRef,
  digest: string,
  live: readonly CompiledPolicy[],
  deps: ImageEvaluationDeps,
): Record<string, readonly AuthorityOutcome[]> | undefined {
  const outcomes: Record<string, readonly AuthorityOutcome[]> = {};
  for (const policy of live) {
    const list: AuthorityOutcome[] = [];
    for (const authority of policy.authorities) {
      const cached = deps.cache.get(verdictKey(ref, digest, policy, authority));
      if (cached === undefined) return undefined;
      list.push({ authority: authority.name, ok: true, summary: cached.summary, warnings: cached.warnings });
    }
    outcomes[policy.id] = list;
  }
  deps.metrics?.cacheHits.inc(live.reduce((n, p) => n + p.authorities.length, 0));
  return outcomes;
}

/**
 * The policy whose `requireDigest` already decides an image written without a digest, so that no registry
 * is contacted for it: an enforce policy (it denies whatever the others say), or any such policy when every
 * live policy requires a digest.
 */
export function digestBlocker(
  ref: ImageRef,
  policies: readonly CompiledPolicy[],
): CompiledPolicy | undefined {
  if (ref.digest) return undefined;
  const requiring = policies.filter((p) => p.requireDigest);
  if (requiring.length === 0) return undefined;
  return (
    requiring.find((p) => p.mode === 'enforce') ??
    (requiring.length === policies.length ? requiring[0] : undefined)
  );
}

// parseUse parses an image string, turning a bad reference into facts that the decision denies.
export function parseUse(use: ImageUse): { ref: ImageRef } | { facts: ImageFacts } {
  try {
    return { ref: parseImageReference(use.image) };
  } catch (error) {
    const failure = toFailure('reference', error) as Extract<AuthorityOutcome, { ok: false }>;
    return {
      facts: {
        image: use.image,
        field: use.field,
        pointer: use.pointer,
        invalid: { code: failure.code, reason: failure.reason },
        policies: [],
        outcomes: {},
      },
    };
  }
}
