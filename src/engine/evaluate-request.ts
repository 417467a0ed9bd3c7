import type { AdmissionRequestFacts, ImageUse, PodFacts } from '../admission/admission.types';
import { extractImages, extractPodSpec, needsReview } from '../admission';
import { decide, selectPolicies } from '../policy';
import type { BreakGlassSettings } from '../policy/break-glass';
import type { CompiledPolicy, NoMatchAction } from '../policy/compiled.types';
import type { AuthorityOutcome, Decision, ImageFacts } from '../policy/decision.types';
import type { NamespaceLabelFacts } from '../policy/namespace-labels';
import type { CredentialSource } from '../registry/registry.types';
import { AdmissionError } from '../admission/errors';
import { evaluateImage, parseUse, toFailure, type ImageEvaluationDeps } from './evaluate-image';
import { MAX_PARALLEL_IMAGES } from './limits';
import type { PolicySnapshot } from './policy-snapshot';
import { toRequestFacts } from './request-facts';

export interface RequestEvaluationInput {
  readonly request: AdmissionRequestFacts;
  readonly snapshot: PolicySnapshot;
  /** Absolute deadline (epoch ms) derived from the webhook timeout. */
  readonly deadline: number;
  /** What is known of the namespace's labels, for ClusterImagePolicy namespaceSelectors. */
  readonly namespaceLabels: NamespaceLabelFacts;
  readonly noMatch: NoMatchAction;
  /** The webhook's break-glass settings (serve flags); the defaults when absent. */
  readonly breakGlass?: BreakGlassSettings;
  /** Builds the credential chain for this pod and its governing policies (pod secrets first). */
  readonly credentialsFor: (
    policies: readonly CompiledPolicy[],
    pod: PodFacts | undefined,
    namespace: string,
  ) => Promise<{ source: CredentialSource; key: string }>;
}

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

// brokenMatches returns stand-ins and failures for broken policies that would govern this image.
function brokenMatches(
  snapshot: PolicySnapshot,
  name: string,
  namespace: string,
  labels: NamespaceLabelFacts,
): { policies: CompiledPolicy[]; outcomes: Record<string, readonly AuthorityOutcome[]> } {
  const stand = snapshot.broken.map((b) => b.policy);
  const matched = new Set(selectPolicies(stand, name, namespace, labels));
  const outcomes: Record<string, readonly AuthorityOutcome[]> = {};
  const policies: CompiledPolicy[] = [];
  for (const b of snapshot.broken) {
    if (!matched.has(b.policy)) continue;
    policies.push(b.policy);
    outcomes[b.policy.id] = [{ authority: 'policy', ok: false, code: b.code, reason: b.reason }];
  }
  return { policies, outcomes };
}

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
  const ns = input.request.namespace;
  const live = selectPolicies(input.snapshot.policies, ref.name, ns, input.namespaceLabels);
  const broken = brokenMatches(input.snapshot, ref.name, ns, input.namespaceLabels);
  const policies = [...live, ...broken.policies];
  if (policies.length === 0) {
    // Ungoverned: --no-match decides, and no registry is ever contacted for it.
    return {
      image: use.image,
      field: use.field,
      pointer: use.pointer,
      normalized: ref.name,
      policies,
      outcomes: {},
    };
  }
  const work = input.credentialsFor(live, pod, ns).then((credentials) =>
    evaluateImage(
      {
        use,
        ref,
        policies,
        presetOutcomes: broken.outcomes,
        credentials: credentials.source,
        credentialsKey: credentials.key,
        deadline: input.deadline,
        signal,
      },
      deps,
    ),
  );
  return withDeadline(use, policies, broken.outcomes, work, input.deadline, deps.now());
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

// mapLimited runs fn over items with at most `limit` in flight, keeping order.
async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Evaluates one admission request: extract images, resolve and verify governed ones, decide purely. */
export async function evaluateRequest(
  input: RequestEvaluationInput,
  deps: ImageEvaluationDeps,
): Promise<RequestEvaluation> {
  const { request } = input;
  if (!needsReview(request)) return { decision: ADMIT_UNREVIEWED, uses: [], reviewed: false };
  const uses = extractImages(request.kind, request.object, request.subResource);
  const pod = extractPodSpec(request.kind, request.object, request.subResource)?.facts;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, input.deadline - deps.now()));
  try {
    const facts = await mapLimited(uses, MAX_PARALLEL_IMAGES, (use) =>
      evaluateUse(use, input, deps, controller.signal, pod),
    );
    const decision = decide(
      { ...toRequestFacts(request, pod, input), namespaceLabels: input.namespaceLabels },
      facts,
    );
    return { decision, uses, reviewed: true };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
