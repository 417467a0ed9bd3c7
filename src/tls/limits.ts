// Named durations and limits of the self-managed webhook CA and serving certificate.

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;
/** Lifetime of a CA the webhook creates. */
export const CA_VALIDITY_MS = 365 * DAY_MS;
/** A CA rollover starts when the signing CA expires within this long. */
export const CA_ROLLOVER_BEFORE_MS = 30 * DAY_MS;
/** Default time both CAs are trusted before each switch (serving cert moves; old CA dropped). */
export const DEFAULT_CA_OVERLAP_MS = DAY_MS;
/** Shortest overlap `--tls-ca-overlap` accepts: API servers and every replica must see each change. */
export const MIN_CA_OVERLAP_MS = 60 * 60_000;
/** Longest overlap `--tls-ca-overlap` accepts (the whole rollover must fit in CA_ROLLOVER_BEFORE_MS). */
export const MAX_CA_OVERLAP_MS = 7 * DAY_MS;
/** Lifetime of a serving certificate the webhook issues (never past its CA's expiry). */
export const SERVING_VALIDITY_MS = 90 * DAY_MS;
/** A serving certificate is renewed once this fraction of its lifetime has passed. */
export const SERVING_RENEW_FRACTION = 2 / 3;
/** notBefore of issued certificates is set this far in the past, for clocks that lag ours. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/** How often each replica re-reads the Secret, re-plans and refreshes its serving files. */
export const TLS_ROTATION_INTERVAL_MS = 60_000;
/** Read-plan-write rounds within one tick (a lost optimistic-concurrency race costs one round). */
export const MAX_STEPS_PER_TICK = 8;
/** One API-server call of the rotator waits at most this long. */
export const TLS_API_TIMEOUT_MS = 10_000;
/** CA certificates in `ca.crt` beyond this make the Secret invalid (attacker- or operator-edited data). */
export const MAX_BUNDLE_CERTS = 8;
