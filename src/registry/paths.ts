// Builds registry API paths from checked parts, so no attacker-supplied digest or name can bend a URL.
import { MAX_NAME_LENGTH, MAX_TAG_LENGTH, SUPPORTED_DIGESTS } from '../reference/limits';
import { registryError, type RegistryWhere } from './errors';

/** A digest split into parts; only sha256 and sha512 are accepted. */
export interface ParsedDigest {
  readonly algorithm: 'sha256' | 'sha512';
  readonly hex: string;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = new RegExp(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,${MAX_TAG_LENGTH - 1}}$`);

/** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; undefined for anything else. */
export function parseDigest(digest: string): ParsedDigest | undefined {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const len = SUPPORTED_DIGESTS.get(algorithm);
  if (colon < 0 || len === undefined || hex.length !== len || !/^[0-9a-f]+$/.test(hex)) return undefined;
  return { algorithm: algorithm as ParsedDigest['algorithm'], hex };
}

/** True for a reference that is a digest (contains ':'); tags never do. */
export function isDigestReference(reference: string): boolean {
  return reference.includes(':');
}

/** Checks a digest, throwing REGISTRY_BAD_RESPONSE when it is malformed or of an algorithm we cannot verify. */
export function verifyDigestSyntax(digest: string, where: RegistryWhere): ParsedDigest {
  const parsed = parseDigest(digest);
  if (parsed === undefined) {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${where.registry}/${where.repository ?? ''}: "${digest.slice(0, 80).replace(/[^\x20-\x7e]/g, '?')}" is not a sha256 or sha512 digest`,
    );
  }
  return parsed;
}

// checkRepository refuses names that are not in the distribution grammar (they would alter the URL path).
function checkRepository(where: RegistryWhere & { repository: string }): string {
  if (where.repository.length > MAX_NAME_LENGTH || !REPOSITORY.test(where.repository)) {
    throw registryError('REGISTRY_BAD_RESPONSE', where, `${where.registry}: invalid repository name`);
  }
  return where.repository;
}

// checkReference accepts a tag or a verifiable digest.
function checkReference(where: RegistryWhere, reference: string): string {
  if (isDigestReference(reference)) verifyDigestSyntax(reference, where);
  else if (!TAG.test(reference)) {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${where.registry}/${where.repository ?? ''}: invalid tag`,
    );
  }
  return reference;
}

/** `/v2/<name>/manifests/<tag|digest>` */
export function manifestPath(where: RegistryWhere & { repository: string }, reference: string): string {
  return `/v2/${checkRepository(where)}/manifests/${checkReference(where, reference)}`;
}

/** `/v2/<name>/blobs/<digest>` */
export function blobPath(where: RegistryWhere & { repository: string }, digest: string): string {
  verifyDigestSyntax(digest, where);
  return `/v2/${checkRepository(where)}/blobs/${digest}`;
}

/** `/v2/<name>/referrers/<digest>[?artifactType=…]` */
export function referrersPath(
  where: RegistryWhere & { repository: string },
  digest: string,
  artifactType?: string,
): string {
  verifyDigestSyntax(digest, where);
  const query = artifactType === undefined ? '' : `?artifactType=${encodeURIComponent(artifactType)}`;
  return `/v2/${checkRepository(where)}/referrers/${digest}${query}`;
}

/** The referrers tag schema's tag for a digest: `<alg>-<hex>`, algorithm cut to 32 and hex to 64 characters. */
export function referrersFallbackTag(digest: ParsedDigest): string {
  return `${digest.algorithm.slice(0, 32)}-${digest.hex.slice(0, 64)}`;
}
