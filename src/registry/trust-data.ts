// Files from a Notary v1 trust server (`GET <server>/v2/<gun>/_trust/tuf/<role>.json`), fetched like registry
// content: same transport (deadline, retries, redirects, size limits, TLS settings) and the same token auth.
import { describeWhere, registryError, type RegistryErrorCode } from './errors';
import type { RegistryRequestContext } from './registry.types';
import { unexpectedStatus, type RegistryFetcher } from './session';

/** One trust-data file to fetch. */
export interface TrustFile {
  /** The server's base URL (https, or http on loopback), e.g. `https://notary.example.com`. */
  readonly server: URL;
  /** The fully expanded repository name, e.g. `docker.io/library/nginx`; also the token scope. */
  readonly gun: string;
  /** The TUF role, e.g. `root` or `targets/releases`. */
  readonly role: string;
  /** Larger bodies fail with `tooLargeCode`. */
  readonly maxBytes: number;
  readonly tooLargeCode: RegistryErrorCode;
}

/** Reads Notary trust data; implemented by RegistryClient. */
export interface TrustDataReader {
  /** The file's bytes, or undefined when the server has none (404). */
  getTrustData(file: TrustFile, ctx: RegistryRequestContext): Promise<Buffer | undefined>;
}

/** Whether a registry reader can also read Notary trust data. */
export function isTrustDataReader(reader: unknown): reader is TrustDataReader {
  return (
    typeof reader === 'object' &&
    reader !== null &&
    typeof (reader as Partial<TrustDataReader>).getTrustData === 'function'
  );
}

/**
 * Fetches one trust-data file. Credentials are those the request's keychain holds for the notary server's host
 * (a token scoped `repository:<gun>:pull`, as notary-server expects). 404 resolves to undefined.
 */
export async function fetchTrustData(
  fetcher: RegistryFetcher,
  file: TrustFile,
  ctx: RegistryRequestContext,
): Promise<Buffer | undefined> {
  const where = { registry: file.server.host, repository: file.gun };
  if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/.test(file.role) || file.role.includes('..')) {
    throw registryError('REGISTRY_BAD_RESPONSE', where, `${describeWhere(where)}: invalid TUF role name`);
  }
  const res = await fetcher.fetch(
    where,
    {
      method: 'GET',
      base: file.server,
      path: `/v2/${file.gun}/_trust/tuf/${file.role}.json`,
      accept: 'application/json',
      what: `trust data ${file.role}.json`,
      maxBytes: file.maxBytes,
      tooLargeCode: file.tooLargeCode,
    },
    ctx,
  );
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw unexpectedStatus(where, `trust data ${file.role}.json`, res);
  return res.bytes;
}
