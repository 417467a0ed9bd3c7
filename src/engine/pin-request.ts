import type { ImageUse, PodFacts } from '../admission/admission.types';
import type { Logger } from 'pino';
import type { Descriptor, RegistryReader } from '../registry/registry.types';
import type { Coalescer } from './coalesce';
import type { TtlCache } from '../ttl-cache';
import { digestBlocker, parseUse, resolveDescriptor, staleAllowance, toFailure } from './evaluate-image';
import type { VerificationHistory } from './history';
import type { Metrics } from '../observability/metrics';
import type { RequestEvaluationInput } from './evaluate-request';
import { governingPolicies } from './governing';
import { selectionSubject } from '../policy';
import { MAX_PARALLEL_IMAGES } from './limits';
import { mapLimited } from './map-limited';
import { REQUEST_DONE } from './outcomes';
import type { JsonPatchOp } from '../admission/admission-review.types';
import type { EncryptionCache } from './image-encryption';
import { placementPatch } from './placement-request';

/** One image field of a Pod that /mutate rewrites to `original@digest`. */
export interface Pin {
  readonly field: string;
  readonly pointer: string;
  readonly image: string;
  readonly digest: string;
}

/** A governed image /mutate could not resolve: left unpinned, so /validate denies it (fail closed). */
export interface PinFailure {
  readonly image: string;
  readonly field: string;
  readonly code: string;
  readonly reason: string;
}

/** What /mutate does for one request: the pins, why any governed image is left unpinned, placement additions. */
export interface PinPlan {
  readonly pins: readonly Pin[];
  readonly failures: readonly PinFailure[];
  /** `add` operations for placement.mutate (RuntimeClass, node selector labels); [] when none. */
  readonly placement?: readonly JsonPatchOp[];
}

/** The I/O pinning needs: tag resolution only (verification is /validate's, on the pinned digest). */
export interface PinDeps {
  readonly registry: RegistryReader;
  readonly resolutions: Coalescer<Descriptor>;
  readonly resolved: TtlCache<Descriptor>;
  readonly history?: VerificationHistory;
  readonly metrics?: Metrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** Layer encryption by digest, for `placement.when: encrypted`. */
  readonly encryption?: EncryptionCache;
}

export type PinInput = Omit<RequestEvaluationInput, 'noMatch' | 'requirePinned'>;

const NOTHING_TO_PIN: PinPlan = Object.freeze({ pins: [], failures: [], placement: [] });

// pinUse resolves one governed, unpinned image field; ungoverned images are never looked up.
async function pinUse(
  use: ImageUse,
  input: PinInput,
  deps: PinDeps,
  pod: PodFacts | undefined,
  signal: AbortSignal,
): Promise<Pin | PinFailure | undefined> {
  const parsed = parseUse(use);
  if ('facts' in parsed || parsed.ref.digest !== undefined) return undefined;
  const { ref } = parsed;
  const ns = input.facts.request.namespace;
  const { live } = governingPolicies(input.snapshot, selectionSubject(ref, true), ns, input.namespaceLabels);
  // Only broken policies, or a requireDigest that denies anyway: /validate decides without a lookup.
  if (live.length === 0 || digestBlocker(ref, live) !== undefined) return undefined;
  try {
    const credentials = await input.credentialsFor(live, pod, ns);
    const staleForMs = staleAllowance(live);
    const descriptor = await resolveDescriptor(
      {
        ref,
        credentials: credentials.source,
        credentialsKey: credentials.key,
        deadline: input.deadline,
        signal,
        ...(staleForMs === undefined ? {} : { staleForMs }),
      },
      deps,
    );
    return { field: use.field, pointer: use.pointer, image: use.image, digest: descriptor.digest };
  } catch (error) {
    const failure = toFailure('registry', error);
    return failure.ok
      ? undefined
      : { image: use.image, field: use.field, code: failure.code, reason: failure.reason };
  }
}

/**
 * The pins for one Pod request, and the placement additions (placement-request.ts) for any pod-bearing
 * request (CREATE, UPDATE, ephemeralcontainers): every governed image that is named by
 * tag is resolved to the digest the kubelet must pull. Templates of workloads are not pinned; their Pods are,
 * when created. Never throws for a registry failure: the image stays unpinned and /validate denies it.
 */
export async function pinRequest(input: PinInput, deps: PinDeps): Promise<PinPlan> {
  const { facts } = input;
  if (!facts.needsReview) return NOTHING_TO_PIN;
  const { judged: uses, pod } = facts;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, input.deadline - deps.now()));
  try {
    const results = facts.isPod
      ? await mapLimited(uses, MAX_PARALLEL_IMAGES, (use) => pinUse(use, input, deps, pod, controller.signal))
      : [];
    const pins: Pin[] = [];
    const failures: PinFailure[] = [];
    for (const r of results) {
      if (r === undefined) continue;
      if ('digest' in r) pins.push(r);
      else failures.push(r);
    }
    const digests = new Map(pins.map((p) => [p.pointer, p.digest]));
    const placement = await placementPatch(input, deps, digests, controller.signal);
    return { pins, failures, placement };
  } finally {
    clearTimeout(timer);
    controller.abort(REQUEST_DONE);
  }
}
