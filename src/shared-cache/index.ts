/**
 * The verification cache shared by every replica, on Valkey (docs/operations.md, "Shared cache (Valkey)").
 *
 * Valkey is an optimisation, never a dependency: every call is bounded by SHARED_CACHE_OP_TIMEOUT_MS and the
 * caller's deadline, and falls back (undefined, or nothing written, or running locally) when Valkey is down,
 * slow or refusing. Every entry carries an HMAC, so a write to Valkey cannot forge a verdict.
 *
 * How the engine uses it (keys are the caller's; they are hashed before they reach Valkey):
 * ```ts
 * const shared = createSharedCache({ url, password, hmacKey, keyPrefix: 'portcullis', logger, metrics: registry });
 * const bounds = { deadline, signal };
 * // tag → digest
 * let digest = await shared.get('resolution', `${registry}/${repo}:${tag}`, bounds);
 * if (digest === undefined) {
 *   digest = await resolveTag();
 *   await shared.set('resolution', `${registry}/${repo}:${tag}`, digest, RESOLUTION_TTL_MS, bounds);
 * }
 * // verdicts, verified once cluster-wide
 * const key = `${digest}|${policyGeneration}|${authority}`;
 * const cached = await shared.get('verdict', key, bounds);
 * const negative = cached === undefined ? await shared.get('negative', key, bounds) : undefined;
 * if (cached === undefined && negative === undefined) {
 *   const { value, kind, source } = await shared.singleFlight(key, deadline, async () => {
 *     const verdict = await verifyLocally();
 *     return verdict.ok
 *       ? { kind: 'verdict', value: JSON.stringify(verdict), ttlMs: VERDICT_TTL_MS }
 *       : { kind: 'negative', value: JSON.stringify(verdict), ttlMs: 10_000 };
 *   }, signal);
 *   // source: 'ran' (this replica verified), 'shared' (another did), 'local' (Valkey unusable or too slow)
 * }
 * await shared.close(); // on shutdown
 * ```
 * A value read back is exactly what this deployment (holder of the HMAC key) wrote under that kind and key,
 * before its expiry; the engine still parses it as untrusted-shaped JSON.
 */
export { createSharedCache } from './create';
export { SharedCacheError, SHARED_CACHE_ERROR_CODES, type SharedCacheErrorCode } from './errors';
export type {
  CallBounds,
  SharedCache,
  SharedCacheKind,
  SharedCacheOptions,
  SharedResultKind,
  SingleFlightResult,
  SingleFlightRun,
} from './shared-cache.types';
export { MIN_SHARED_CACHE_HMAC_KEY_BYTES } from './limits';
export { toValkeyAddress, type ValkeyAddress } from './client';
