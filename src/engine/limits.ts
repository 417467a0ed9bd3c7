/** Named limits of the evaluation engine; the request deadline comes in from the caller (server/limits.ts). */

/** How long a successful verification stays cached for a (digest, policy generation, authority). */
export const VERDICT_TTL_MS = 10 * 60_000;
/** Upper bound on cached verdicts; the least recently used are evicted first. */
export const MAX_CACHED_VERDICTS = 10_000;
/** At most this many images of one request are resolved and verified at the same time. */
export const MAX_PARALLEL_IMAGES = 8;
