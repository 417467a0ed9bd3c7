import type { AdmissionFacts, ImageUse, PodFacts } from '../admission/admission.types';
import { decide } from '../policy';
import type { BreakGlassSettings } from '../policy/decide/break-glass';
import type { CompiledPolicy, NoMatchAction } from '../policy/compile/compiled.types';
import type { AuthorityOutcome, Decision, ImageFacts } from '../policy/decide/decision.types';
import type { NamespaceLabelFacts } from '../policy/decide/namespace-labels';
import type { CredentialSource } from '../registry/registry.types';
import { AdmissionError } from '../admission/errors';
import { evaluateImage, parseUse, toFailure, type ImageEvaluationDeps } from './evaluate-image';
import { governingPolicies } from './governing';
import { withTagBinding } from './tag-binding';
import { selectionSubject } from '../policy';
import { mapLimited } from './map-limited';
import { REQUEST_DONE } from './outcomes';
import { MAX_PARALLEL_IMAGES } from './limits';
import type { PolicySnapshot } from '../policy-sources/snapshot';
import { toRequestFacts } from './request-facts';

export interface RequestEvaluationInput {
  /** The request read once by the admission layer (toAdmissionFacts): the engine reads it, never the objects. */
  readonly facts: AdmissionFacts;
  readonly snapshot: PolicySnapshot;
  /** Absolute deadline (epoch ms) derived from the webhook timeout. */
  readonly deadline: number;
  /** What is known of the namespace's labels, for ClusterImagePolicy namespaceSelectors. */
  readonly namespaceLabels: NamespaceLabelFacts;
  readonly noMatch: NoMatchAction;
  /** The webhook's break-glass settings (serve flags); the defaults when absent. */
  readonly breakGlass?: BreakGlassSettings;
  /**
   * Set by /validate: a governed image of a Pod must be pinned to a digest (ADMISSION_NOT_PINNED otherwise),
   * so an unpinned one is only resolved, never verified. Off for /mutate's callers and the CLI.
   */
  readonly requirePinned?: boolean;
  /** Judged by the CLI, outside a cluster: no break-glass hint (RequestFacts.outsideCluster). */
  readonly outsideCluster?: boolean;
  /** Builds the credential chain for this pod and its governing policies (pod secrets first). */
  readonly credentialsFor: (
    policies: readonly CompiledPolicy[],
    pod: PodFacts | undefined,
    namespace: string,
  ) => Promise<{ source: CredentialSource; key: string }>;
}

/** How a caller asks for a decision: /validate requires Pods to carry pinned digests. */
export interface EvaluateOptions {
  readonly requirePinned?: boolean;
  /** The CLI judges outside a cluster: denial hints do not suggest break-glass. */
  readonly outsideCluster?: boolean;
}

/** The engine's decision entry point as the server and the CLI call it. */
export type Evaluate = (
  facts: AdmissionFacts,
  deadline: number,
  how?: EvaluateOptions,
) => Promise<RequestEvaluation>;

export interface RequestEvaluation {
  readonly decision: Decision;
  readonly uses: readonly ImageUse[];
  readonly reviewed: boolean;
}

/** The decision for requests that need no review (DELETE, no image changed), and what /mutate answers. */
export const ADMIT_UNREVIEWED: Decision = Object.freeze({
  allowed: true,
  warnings: [],
  auditAnnotations: {},
  breakGlassUsed: false,
  verified: [],
  images: [],
});

// evaluateUse decides what I/O one image field needs: none when unparseable or ungoverned.
async function evaluateUse(
  use: ImageUse,
  input: RequestEvaluationInput,
  deps: ImageEvaluationDeps,
  signal: AbortSignal,
  pod: PodFacts | undefined,
): Promise<ImageFacts> {
  const parsed = parseUse(use);
  if ('facts' in parsed) return parsed.facts;
  const { ref } = parsed;
  const ns = input.facts.request.namespace;
  const labels = input.namespaceLabels;
  const unbound = governingPolicies(input.snapshot, selectionSubject(ref, false), ns, labels);
  // Ungoverned: --no-match decides, and no registry is ever contacted for it.
  if (unbound.policies.length === 0) return ungoverned(use, ref.name);
  const work = (async (): Promise<ImageFacts> => {
    let credentials = await input.credentialsFor(unbound.live, pod, ns);
    const bounds = { deadline: input.deadline, signal };
    const { governing, unbound: unboundExclusion } = await withTagBinding(
      { ...bounds, snapshot: input.snapshot, ref, namespace: ns, labels, unbound, ...sourceOf(credentials) },
      deps,
    );
    const { live, broken, policies } = governing;
    if (policies.length === 0) return ungoverned(use, ref.name);
    if (live.length !== unbound.live.length) credentials = await input.credentialsFor(live, pod, ns);
    const facts = await evaluateImage(
      {
        use,
        ref,
        policies,
        presetOutcomes: broken.outcomes,
        ...sourceOf(credentials),
        ...bounds,
        resolveOnly: requiresPin(input) && ref.digest === undefined,
      },
      deps,
    );
    return unboundExclusion === undefined ? facts : { ...facts, unboundExclusion };
  })();
  return withDeadline(use, unbound.policies, unbound.broken.outcomes, work, input.deadline, deps.now());
}

// sourceOf names the credential chain the way the registry layer takes it.
function sourceOf(c: { source: CredentialSource; key: string }): {
  credentials: CredentialSource;
  credentialsKey: string;
} {
  return { credentials: c.source, credentialsKey: c.key };
}

// ungoverned is an image no policy governs: --no-match decides, with no registry request for it.
function ungoverned(use: ImageUse, normalized: string): ImageFacts {
  return { image: use.image, field: use.field, pointer: use.pointer, normalized, policies: [], outcomes: {} };
}

// requiresPin: does this request's Pod have to carry digests for its governed images?
function requiresPin(input: RequestEvaluationInput): boolean {
  return input.requirePinned === true && input.facts.isPod;
}

// withDeadline answers with a deadline failure for an image still pending when the budget ends.
function withDeadline(
  use: ImageUse,
  policies: readonly CompiledPolicy[],
  outcomes: Readonly<Record<string, readonly AuthorityOutcome[]>>,
  work: Promise<ImageFacts>,
  deadline: number,
  now: number,
): Promise<ImageFacts> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<ImageFacts>((resolve) => {
    timer = setTimeout(
      () => {
        const error = new AdmissionError(
          'ADMISSION_DEADLINE_EXCEEDED',
          `verification of image "${use.image}" did not finish within the webhook's time budget`,
        );
        const failure = toFailure('engine', error) as Extract<AuthorityOutcome, { ok: false }>;
        resolve({
          image: use.image,
          field: use.field,
          pointer: use.pointer,
          policies,
          resolveError: { code: failure.code, reason: failure.reason },
          outcomes,
        });
      },
      Math.max(0, deadline - now),
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Evaluates one admission request: resolve and verify its governed judged images, decide purely. */
export async function evaluateRequest(
  input: RequestEvaluationInput,
  deps: ImageEvaluationDeps,
): Promise<RequestEvaluation> {
  const { facts } = input;
  if (!facts.needsReview) return { decision: ADMIT_UNREVIEWED, uses: [], reviewed: false };
  const { judged: uses, pod } = facts;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, input.deadline - deps.now()));
  try {
    const images = await mapLimited(uses, MAX_PARALLEL_IMAGES, (use) =>
      evaluateUse(use, input, deps, controller.signal, pod),
    );
    const decision = decide(
      {
        ...toRequestFacts(facts, input),
        requirePinned: requiresPin(input),
        namespaceLabels: input.namespaceLabels,
        ...(input.outsideCluster === true ? { outsideCluster: true } : {}),
        ...(pod?.placement ? { placement: pod.placement } : {}),
        placementTemplate: !facts.isPod,
      },
      images,
    );
    return { decision, uses, reviewed: true };
  } finally {
    clearTimeout(timer);
    controller.abort(REQUEST_DONE);
  }
}
