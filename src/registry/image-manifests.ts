// Resolves tags and fetches manifests, verifying every byte against the digest we report.
import type { Logger } from 'pino';
import { describeWhere, quoteRegistryText, registryError } from './errors';
import { declaredLength } from './http/body';
import { MAX_MANIFEST_BYTES } from './limits';
import { contentTypeOf, MANIFEST_ACCEPT, MANIFEST_MEDIA_TYPES, manifestMediaType } from './media-types';
import { isDigestReference, manifestPath, parseDigest } from './paths';
import type { Descriptor, FetchedManifest, RegistryRequestContext } from './registry.types';
import { unexpectedStatus, type RegistryFetcher, type RepoWhere } from './session';

/**
 * HEAD the manifest for its Docker-Content-Digest, size and type; when HEAD does not give all three (or answers
 * anything but 200 or 404), GET it and hash the bytes instead.
 */
export async function resolveManifest(
  fetcher: RegistryFetcher,
  where: RepoWhere,
  reference: string,
  ctx: RegistryRequestContext,
  logger: Logger,
): Promise<Descriptor> {
  const what = `manifest ${reference}`;
  const path = manifestPath(where, reference);
  const res = await fetcher.fetch(
    where,
    {
      method: 'HEAD',
      path,
      accept: MANIFEST_ACCEPT,
      what,
      maxBytes: 0,
      tooLargeCode: 'REGISTRY_MANIFEST_TOO_LARGE',
    },
    ctx,
  );
  if (res.status === 404) throw unexpectedStatus(where, what, res);
  if (res.status === 200) {
    const header = res.headers['docker-content-digest'];
    const digest = typeof header === 'string' ? header.trim() : undefined;
    const size = declaredLength(res.headers['content-length']);
    const mediaType = contentTypeOf(res.headers['content-type']);
    if (size !== undefined && size > MAX_MANIFEST_BYTES) {
      throw registryError(
        'REGISTRY_MANIFEST_TOO_LARGE',
        where,
        `${describeWhere(where)}: ${what} is ${size} bytes, over the limit of ${MAX_MANIFEST_BYTES}`,
        { details: { limit: MAX_MANIFEST_BYTES } },
      );
    }
    const byDigest = isDigestReference(reference);
    const usable =
      digest !== undefined && parseDigest(digest) !== undefined && (!byDigest || digest === reference);
    if (usable && size !== undefined && mediaType !== undefined && MANIFEST_MEDIA_TYPES.includes(mediaType)) {
      return { mediaType, digest, size };
    }
    logger.debug(
      { registry: where.registry, repository: where.repository },
      'HEAD gave no usable digest; fetching the manifest',
    );
  }
  return (await fetchManifest(fetcher, where, reference, ctx)).descriptor;
}

/**
 * GETs a manifest or index, at most MAX_MANIFEST_BYTES. Its digest is always computed from the bytes; when
 * `reference` is a digest the bytes must hash to it (REGISTRY_DIGEST_MISMATCH).
 */
export async function fetchManifest(
  fetcher: RegistryFetcher,
  where: RepoWhere,
  reference: string,
  ctx: RegistryRequestContext,
): Promise<FetchedManifest> {
  const what = `manifest ${reference}`;
  const wanted = isDigestReference(reference) ? parseDigest(reference) : undefined;
  const res = await fetcher.fetch(
    where,
    {
      method: 'GET',
      path: manifestPath(where, reference),
      accept: MANIFEST_ACCEPT,
      what,
      maxBytes: MAX_MANIFEST_BYTES,
      tooLargeCode: 'REGISTRY_MANIFEST_TOO_LARGE',
      hash: wanted?.algorithm ?? 'sha256',
    },
    ctx,
  );
  if (res.status !== 200) throw unexpectedStatus(where, what, res);
  const digest = res.digest ?? '';
  if (wanted !== undefined && digest !== reference) {
    throw registryError(
      'REGISTRY_DIGEST_MISMATCH',
      where,
      `${describeWhere(where)}: the registry returned a manifest whose digest is ${digest}, not the requested ${reference}; the registry or something between us is tampering`,
      { details: { expected: reference, actual: digest } },
    );
  }
  const json = parseManifestJson(res.bytes, where, what);
  const mediaType = manifestMediaType(json, contentTypeOf(res.headers['content-type']));
  if (mediaType === undefined) {
    const said =
      typeof json.mediaType === 'string'
        ? json.mediaType
        : (contentTypeOf(res.headers['content-type']) ?? 'none');
    throw registryError(
      'REGISTRY_UNSUPPORTED_MEDIA_TYPE',
      where,
      `${describeWhere(where)}: ${what} has media type ${quoteRegistryText(said)}; only OCI and Docker v2 manifests and indexes are supported (push the image with a current client)`,
    );
  }
  const artifactType = typeof json.artifactType === 'string' ? json.artifactType : undefined;
  return {
    descriptor: {
      mediaType,
      digest,
      size: res.bytes.length,
      ...(artifactType === undefined ? {} : { artifactType }),
    },
    bytes: res.bytes,
    json,
  };
}

// parseManifestJson requires a JSON object (attacker-controlled bytes).
function parseManifestJson(bytes: Buffer, where: RepoWhere, what: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw registryError('REGISTRY_BAD_RESPONSE', where, `${describeWhere(where)}: ${what} is not valid JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${describeWhere(where)}: ${what} is not a JSON object`,
    );
  }
  return json as Record<string, unknown>;
}
