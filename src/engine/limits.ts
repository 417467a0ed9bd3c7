/** Named limits of the evaluation engine; the request deadline comes in from the caller (server/limits.ts). */

/** How long a successful verification stays cached for a (digest, policy generation, authority). */
export const VERDICT_TTL_MS = 10 * 60_000;
/** Upper bound on cached verdicts; the least recently used are evicted first. */
export const MAX_CACHED_VERDICTS = 10_000;
/** At most this many images of one request are resolved and verified at the same time. */
export const MAX_PARALLEL_IMAGES = 8;
/** How long a tag's resolution is reused (--tag-ttl overrides; 0 turns the cache off). */
export const TAG_RESOLUTION_TTL_MS = 30_000;
/** The longest --tag-ttl allowed: a moved tag should reach new pods within minutes. */
export const MAX_TAG_TTL_MS = 10 * 60_000;
/** Upper bound on cached resolutions; the least recently used are evicted first. */
export const MAX_CACHED_RESOLUTIONS = 10_000;
/** How long a failed verification stored in the shared cache is reused by other replicas. */
export const NEGATIVE_VERDICT_TTL_MS = 10_000;
/** Image manifests read to judge one digest's layer encryption (an index's platforms, nested indexes included). */
export const MAX_ENCRYPTION_MANIFESTS = 32;
/** Upper bound on remembered encryption states (content-addressed: a digest's layers never change). */
export const MAX_CACHED_ENCRYPTION_STATES = 10_000;
