import type { Logger } from 'pino';
import type { ImageUse } from '../admission/admission.types';
import { describeUnknown, isPortcullisError } from '../errors';
import type { CompiledAuthority, CompiledPolicy } from '../policy/compile/compiled.types';
import type { AuthorityOutcome, ImageFacts } from '../policy/decide/decision.types';
import { formatReference, parseImageReference } from '../reference';
import type { ImageRef } from '../reference/reference.types';
import type { CredentialSource, Descriptor, RegistryReader } from '../registry/registry.types';
import type { Evidence, VerifyContext, VerifyTarget } from '../verifiers/verifier.types';
import type { Coalescer } from './coalesce';
import { EngineError } from './errors';
import type { Metrics } from '../observability/metrics';
import { VerdictCache } from './verdict-cache';

/** What evaluating one image needs; all I/O is in here, handed in by the caller. */
export interface ImageEvaluationDeps {
  readonly registry: RegistryReader;
  readonly verify: (
    target: VerifyTarget,
    authority: CompiledAuthority,
    ctx: VerifyContext,
  ) => Promise<Evidence>;
  readonly cache: VerdictCache;
  readonly resolutions: Coalescer<Descriptor>;
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
}

// toFailure turns any thrown value into a failing outcome; unknown errors fail closed with a generic code.
export function toFailure(authority: string, error: unknown): AuthorityOutcome {
  if (isPortcullisError(error)) return { authority, ok: false, code: error.code, reason: error.message };
  return {
    authority,
    ok: false,
    code: 'ENGINE_INTERNAL_ERROR',
    reason: `internal error: ${describeUnknown(error)}`,
  };
}

// resolveDescriptor finds the digest that will run; concurrent identical lookups share one request.
export async function resolveDescriptor(
  input: Pick<ImageEvaluationInput, 'ref' | 'credentials' | 'credentialsKey' | 'deadline' | 'signal'>,
  deps: Pick<ImageEvaluationDeps, 'registry' | 'resolutions'>,
): Promise<Descriptor> {
  const { ref } = input;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const key = `${ref.registry}/${ref.repository}@${reference}\u0000${input.credentialsKey}`;
  const ctx = { deadline: input.deadline, credentials: input.credentials, signal: input.signal };
  const descriptor = await deps.resolutions.run(key, () =>
    deps.registry.resolve({ registry: ref.registry, repository: ref.repository }, reference, ctx),
  );
  if (ref.digest && descriptor.digest !== ref.digest) {
    // A registry answering a digest request with other content is hostile or broken.
    throw new EngineError(
      'ENGINE_RESOLVED_WRONG_DIGEST',
      `registry ${ref.registry} answered ${descriptor.digest} when asked for ${ref.digest} of ${ref.repository}`,
    );
  }
  return descriptor;
}

// verifyOne runs one authority, consulting the verdict cache first (successes only are cached).
async function verifyOne(
  target: VerifyTarget,
  policy: CompiledPolicy,
  authority: CompiledAuthority,
  ctx: VerifyContext,
  deps: ImageEvaluationDeps,
): Promise<AuthorityOutcome> {
  const key = VerdictCache.key(target.digest, policy.cacheKey, authority.name);
  const cached = deps.cache.get(key);
  if (cached) {
    deps.metrics?.cacheHits.inc();
    return { authority: authority.name, ok: true, summary: cached.summary, warnings: cached.warnings };
  }
  deps.metrics?.cacheMisses.inc();
  try {
    const evidence = await deps.verify(target, authority, ctx);
    const warnings = evidence.warnings ?? [];
    deps.cache.set(key, { summary: evidence.summary, warnings });
    deps.metrics?.verifications.inc({ scheme: authority.kind, result: 'pass' });
    return { authority: authority.name, ok: true, summary: evidence.summary, warnings };
  } catch (error) {
    deps.metrics?.verifications.inc({ scheme: authority.kind, result: 'fail' });
    return toFailure(authority.name, error);
  }
}

// evaluateImage resolves one governed image and runs every authority of every governing policy.
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
  let descriptor: Descriptor;
  try {
    descriptor = await resolveDescriptor(input, deps);
  } catch (error) {
    const failure = toFailure('registry', error) as Extract<AuthorityOutcome, { ok: false }>;
    return {
      ...base,
      outcomes: input.presetOutcomes,
      resolveError: { code: failure.code, reason: failure.reason },
    };
  }
  const target: VerifyTarget = {
    ref: input.ref,
    repo: { registry: input.ref.registry, repository: input.ref.repository },
    digest: descriptor.digest,
    descriptor,
  };
  const ctx: VerifyContext = {
    registry: deps.registry,
    request: { deadline: input.deadline, credentials: input.credentials, signal: input.signal },
    now: () => new Date(deps.now()),
    logger: deps.logger,
  };
  const outcomes: Record<string, readonly AuthorityOutcome[]> = { ...input.presetOutcomes };
  if (input.resolveOnly) {
    return { ...base, digest: descriptor.digest, outcomes: input.presetOutcomes, skipped: 'not verified' };
  }
  await Promise.all(
    live.map(async (policy) => {
      if (policy.requireDigest && !input.ref.digest) return; // the pure decision denies it; no need to verify
      outcomes[policy.id] = await Promise.all(
        policy.authorities.map((a) => verifyOne(target, policy, a, ctx, deps)),
      );
    }),
  );
  return { ...base, digest: descriptor.digest, outcomes };
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
