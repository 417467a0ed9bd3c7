/** Named limits and deadlines of the evaluation engine. */

/** The API server's default webhook timeout, used when a request does not say (`?timeout=`). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** Kept back from the webhook timeout so that we answer (deny) before the API server gives up. */
export const DEADLINE_MARGIN_MS = 1_000;
/** The smallest budget we ever work with, so that a tiny timeout still yields a clear answer. */
export const MIN_BUDGET_MS = 500;
/** How long a successful verification stays cached for a (digest, policy generation, authority). */
export const VERDICT_TTL_MS = 10 * 60_000;
/** Upper bound on cached verdicts; the oldest are evicted first. */
export const MAX_CACHED_VERDICTS = 10_000;
/** At most this many images of one request are resolved and verified at the same time. */
export const MAX_PARALLEL_IMAGES = 8;
