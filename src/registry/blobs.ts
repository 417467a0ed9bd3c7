// Fetches a blob, bounded by the caller's limit and the descriptor's size, and verifies its digest.
import { describeWhere, registryError } from './errors';
import { blobPath, verifyDigestSyntax } from './paths';
import type { Descriptor, RegistryRequestContext } from './registry.types';
import { unexpectedStatus, type RegistryFetcher, type RepoWhere } from './session';

/**
 * Refuses descriptors larger than `maxBytes` before any request, reads at most `descriptor.size` bytes
 * (more means the descriptor or registry lies), and checks the sha256/sha512 digest while streaming.
 */
export async function fetchBlob(
  fetcher: RegistryFetcher,
  where: RepoWhere,
  descriptor: Descriptor,
  ctx: RegistryRequestContext,
  maxBytes: number,
): Promise<Buffer> {
  const digest = verifyDigestSyntax(descriptor.digest, where);
  const what = `blob ${descriptor.digest}`;
  if (!Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${describeWhere(where)}: ${what} has an invalid size in its descriptor`,
    );
  }
  if (descriptor.size > maxBytes) {
    throw registryError(
      'REGISTRY_BLOB_TOO_LARGE',
      where,
      `${describeWhere(where)}: ${what} is ${descriptor.size} bytes, over the limit of ${maxBytes}`,
      { details: { limit: maxBytes, size: descriptor.size } },
    );
  }
  const res = await fetcher.fetch(
    where,
    {
      method: 'GET',
      path: blobPath(where, descriptor.digest),
      what: `${what} (its descriptor says ${descriptor.size} bytes)`,
      maxBytes: descriptor.size,
      tooLargeCode: 'REGISTRY_DIGEST_MISMATCH',
      hash: digest.algorithm,
    },
    ctx,
  );
  if (res.status !== 200) throw unexpectedStatus(where, what, res);
  if (res.digest !== descriptor.digest || res.bytes.length !== descriptor.size) {
    throw registryError(
      'REGISTRY_DIGEST_MISMATCH',
      where,
      `${describeWhere(where)}: ${what} does not match its digest (got ${res.bytes.length} bytes hashing to ${res.digest ?? 'nothing'}); the registry or something between us is tampering`,
      { details: { expected: descriptor.digest, actual: res.digest } },
    );
  }
  return res.bytes;
}
