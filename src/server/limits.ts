// Named limits and deadlines of the webhook server. The AdmissionReview body limit is the admission
// layer's MAX_ADMISSION_REVIEW_BYTES.

/** The API server's default webhook timeout, used when a request does not say (`?timeout=`). */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
/** The API server never waits more than 30 s for a webhook; larger `?timeout=` values are clamped. */
export const MAX_WEBHOOK_TIMEOUT_MS = 30_000;
/** Kept back from the webhook timeout so that we answer (deny) before the API server gives up. */
export const DEADLINE_MARGIN_MS = 1_000;
/** The smallest budget we ever work with, so that a tiny timeout still yields a clear answer. */
export const MIN_BUDGET_MS = 500;
/** How often the TLS files are checked for rotation. */
export const TLS_RELOAD_INTERVAL_MS = 2_000;
/**
 * A request still sending its body after this long is dropped (slowloris): twice the longest webhook
 * timeout, since no API server waits that long for an answer.
 */
export const REQUEST_TIMEOUT_MS = 2 * MAX_WEBHOOK_TIMEOUT_MS;
/** Time a closing server gives in-flight requests before it drops them. */
export const SHUTDOWN_GRACE_MS = 10_000;
/**
 * After SIGTERM, how long the listener stays open with /readyz failing, so that endpoints controllers and the
 * API servers' connections move to other replicas before it closes (`--drain-delay`).
 */
export const DEFAULT_DRAIN_DELAY_MS = 5_000;
/** Longest `--drain-delay`: the kubelet's default terminationGracePeriodSeconds is 30 s. */
export const MAX_DRAIN_DELAY_MS = 60_000;
