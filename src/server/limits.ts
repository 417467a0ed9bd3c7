/**
 * Largest AdmissionReview body accepted. etcd stores objects up to 1.5 MiB and a review carries
 * `object` and `oldObject`, so 6 MiB leaves room; anything larger is refused with HTTP 413.
 */
export const MAX_REVIEW_BYTES = 6 * 1024 * 1024;
/** How often the TLS files are checked for rotation. */
export const TLS_RELOAD_INTERVAL_MS = 2_000;
/** Time a closing server gives in-flight requests before it drops them. */
export const SHUTDOWN_GRACE_MS = 10_000;
