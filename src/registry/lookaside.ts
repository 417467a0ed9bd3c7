// Signature files from a lookaside store (containers-registries.d(5) `lookaside`), fetched like registry
// content: same transport (deadline, retries, redirects, size limits, egress rules, TLS settings).
import { describeWhere, registryError, type RegistryErrorCode } from './errors';
import type { RegistryRequestContext } from './registry.types';
import { unexpectedStatus, type RegistryFetcher } from './session';

/** One lookaside signature to fetch: `<base>/<repository>@<algorithm>=<hex>/signature-<index>`. */
export interface LookasideFile {
  /** The store's base URL (https, or http on loopback), e.g. `https://sigstore.example.com/sigs`. */
  readonly base: URL;
  /** The repository path without the registry host, e.g. `team/app` (as containers/image names it). */
  readonly repository: string;
  /** The manifest digest, `sha256:<hex>`. */
  readonly digest: string;
  /** 1-based, as containers/image numbers signatures. */
  readonly index: number;
  /** Larger bodies fail with `tooLargeCode`. */
  readonly maxBytes: number;
  readonly tooLargeCode: RegistryErrorCode;
}

/** Reads lookaside signatures; implemented by RegistryClient. */
export interface LookasideReader {
  /** The file's bytes, or undefined when the store has none (404 ends the list of signatures). */
  getLookasideSignature(file: LookasideFile, ctx: RegistryRequestContext): Promise<Buffer | undefined>;
}

/** Whether a registry reader can also read lookaside signatures. */
export function isLookasideReader(reader: unknown): reader is LookasideReader {
  return (
    typeof reader === 'object' &&
    reader !== null &&
    typeof (reader as Partial<LookasideReader>).getLookasideSignature === 'function'
  );
}

/**
 * Fetches one lookaside signature. A store is plain HTTP(S) with no auth in containers/image; credentials are
 * only sent if the store answers 401, and then those the keychain holds for the store's host. 404 → undefined.
 */
export async function fetchLookasideSignature(
  fetcher: RegistryFetcher,
  file: LookasideFile,
  ctx: RegistryRequestContext,
): Promise<Buffer | undefined> {
  const where = { registry: file.base.host, repository: file.repository };
  const [algorithm, hex] = file.digest.split(':');
  if (
    !/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(file.repository) ||
    algorithm !== 'sha256' ||
    !/^[0-9a-f]{64}$/.test(hex ?? '') ||
    !Number.isInteger(file.index) ||
    file.index < 1
  ) {
    throw registryError('REGISTRY_BAD_RESPONSE', where, `${describeWhere(where)}: invalid lookaside path`);
  }
  const what = `lookaside signature-${file.index}`;
  const res = await fetcher.fetch(
    where,
    {
      method: 'GET',
      base: file.base,
      path: `/${file.repository}@${algorithm}=${hex}/signature-${file.index}`,
      what,
      maxBytes: file.maxBytes,
      tooLargeCode: file.tooLargeCode,
    },
    ctx,
  );
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw unexpectedStatus(where, what, res);
  return res.bytes;
}
