// Named limits of the shared cache (Valkey): how long one call may take, how long a lock lives, how much a
// process writes. Valkey is an optimisation: every bound here favours answering without it over waiting for it.

/** Longest one Valkey command may take before the call falls back (returns undefined / does nothing). */
export const SHARED_CACHE_OP_TIMEOUT_MS = 50;
/** Longest a TCP (and TLS) connection to Valkey may take to open. */
export const SHARED_CACHE_CONNECT_TIMEOUT_MS = 1_000;
/** A closing connection whose socket has not closed after this long is destroyed. */
export const SHARED_CACHE_DISCONNECT_TIMEOUT_MS = 100;
/** First delay before reconnecting to Valkey; doubles per failed attempt. */
export const SHARED_CACHE_RECONNECT_BASE_MS = 100;
/** Longest delay between reconnection attempts. */
export const SHARED_CACHE_RECONNECT_MAX_MS = 5_000;
/** Consecutive failed operations after which Valkey is skipped for `SHARED_CACHE_BREAKER_OPEN_MS`. */
export const SHARED_CACHE_BREAKER_FAILURES = 5;
/** How long Valkey is skipped (every call falls back at once) after that many failures in a row. */
export const SHARED_CACHE_BREAKER_OPEN_MS = 1_000;
/** Commands in flight at once; past this a call falls back instead of queueing behind a stalled server. */
export const MAX_SHARED_CACHE_IN_FLIGHT = 256;
/** A fallback (timeout, error, disconnection) is logged at most once per this interval, per operation. */
export const SHARED_CACHE_FALLBACK_LOG_INTERVAL_MS = 30_000;
/** A rejected entry (forged, moved, expired, garbage) is logged at most once per this interval. */
export const SHARED_CACHE_REJECT_LOG_INTERVAL_MS = 30_000;
/** Largest stored entry read back; a larger one is rejected unparsed (Valkey's content is not trusted). */
export const MAX_SHARED_CACHE_ENTRY_BYTES = 256 * 1024;
/** Longest TTL of any shared entry: a longer one asked by the caller is cut to this. */
export const MAX_SHARED_CACHE_TTL_MS = 24 * 60 * 60 * 1000;
/** Longest TTL of a negative result (a failed verification): failures are retried soon. */
export const MAX_SHARED_NEGATIVE_TTL_MS = 30_000;
/** Negative results one process writes per minute; past this they stay local (a flood of bad images). */
export const MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE = 600;
/** Shortest HMAC key accepted (HMAC-SHA256: 32 bytes is the hash's own size). */
export const MIN_SHARED_CACHE_HMAC_KEY_BYTES = 32;
/** Shortest life of a single-flight lock (a holder whose deadline is nearer still gets this long). */
export const MIN_SHARED_LOCK_TTL_MS = 1_000;
/** Longest life of a single-flight lock: if its holder dies, waiters take over after at most this. */
export const MAX_SHARED_LOCK_TTL_MS = 30_000;
/** How often a waiter checks for the holder's result (and whether the lock is free to take over). */
export const SHARED_LOCK_POLL_INTERVAL_MS = 20;
/** A waiter stops waiting this long before its deadline and verifies locally. */
export const SHARED_LOCK_WAIT_MARGIN_MS = 2_000;
/** Longest key prefix (the part of every Valkey key name that sets one deployment's entries apart). */
export const MAX_SHARED_CACHE_PREFIX_CHARS = 64;
