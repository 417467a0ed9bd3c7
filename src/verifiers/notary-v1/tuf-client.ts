// Fetches TUF metadata from a notary server through the registry client (token auth, deadline, size limits).
import { RegistryError } from '../../registry/errors';
import type { RegistryRequestContext } from '../../registry/registry.types';
import type { TrustDataReader } from '../../registry/trust-data';
import { VerifyError } from '../errors';
import { MAX_TUF_ROLE_BYTES } from './limits';

/** Reads one role's metadata file; undefined when the server has none. */
export interface TufFetcher {
  fetch(role: string, maxBytes?: number): Promise<Buffer | undefined>;
}

/**
 * A TufFetcher for `gun` on `server`. Bodies over `maxBytes` (default MAX_TUF_ROLE_BYTES; the length the
 * role above declares, when it declares one) fail with VERIFY_TUF_METADATA_INVALID; availability and auth
 * problems keep their REGISTRY_* codes (so `onError` applies to an unreachable server).
 */
export function createTufFetcher(
  reader: TrustDataReader,
  server: string,
  gun: string,
  ctx: RegistryRequestContext,
): TufFetcher {
  const base = new URL(server);
  return {
    async fetch(role: string, maxBytes = MAX_TUF_ROLE_BYTES): Promise<Buffer | undefined> {
      const limit = Math.min(maxBytes, MAX_TUF_ROLE_BYTES);
      try {
        return await reader.getTrustData(
          { server: base, gun, role, maxBytes: limit, tooLargeCode: 'REGISTRY_BLOB_TOO_LARGE' },
          ctx,
        );
      } catch (error) {
        if (!(error instanceof RegistryError) || error.code !== 'REGISTRY_BLOB_TOO_LARGE') throw error;
        const declared = limit < MAX_TUF_ROLE_BYTES;
        const why = declared ? ', the length the metadata above it declares' : '';
        throw new VerifyError(
          declared ? 'VERIFY_TUF_HASH_MISMATCH' : 'VERIFY_TUF_METADATA_INVALID',
          `${role}.json from ${base.host} is larger than ${limit} bytes${why}; refusing to read it`,
          { cause: error },
        );
      }
    },
  };
}
