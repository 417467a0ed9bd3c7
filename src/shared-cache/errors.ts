import { PortcullisError } from '../errors';

/**
 * Shared-cache errors. Only construction raises them (a wrong option is a bug or a misconfiguration);
 * once built, the cache never throws for Valkey's sake: it falls back (docs/operations.md, "Shared cache").
 */
export const SHARED_CACHE_ERROR_CODES = ['SHARED_CACHE_INVALID_OPTIONS'] as const;
export type SharedCacheErrorCode = (typeof SHARED_CACHE_ERROR_CODES)[number];

export class SharedCacheError extends PortcullisError<SharedCacheErrorCode> {}
