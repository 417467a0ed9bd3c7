// Lists the referrers of a digest: the OCI 1.1 referrers API, else the `sha256-<hex>` tag index fallback.
import type { Logger } from 'pino';
import type { TtlCache } from '../ttl-cache';
import { describeWhere, isRegistryError, registryError } from './errors';
import { MAX_LINK_URL_CHARS, MAX_MANIFEST_BYTES, MAX_REFERRER_PAGES, MAX_REFERRERS } from './limits';
import { fetchManifest } from './image-manifests';
import { contentTypeOf, OCI_INDEX } from './media-types';
import { parseDigest, referrersFallbackTag, referrersPath, verifyDigestSyntax } from './paths';
import type { Descriptor, RegistryRequestContext } from './registry.types';
import { unexpectedStatus, type RegistryFetcher, type RepoWhere } from './session';

/**
 * Referrers of `digest`, filtered by `artifactType` here as well (a registry may ignore the filter), at most
 * MAX_REFERRERS. Falls back to the tag schema when the API answers 404, or 400/405 without an OCI index;
 * `noApi` remembers such registries (NO_REFERRERS_API_TTL_MS) so that later lookups skip the API request.
 */
export async function listReferrers(
  fetcher: RegistryFetcher,
  where: RepoWhere,
  digest: string,
  ctx: RegistryRequestContext,
  logger: Logger,
  artifactType?: string,
  noApi?: TtlCache<true>,
): Promise<Descriptor[]> {
  const parsed = verifyDigestSyntax(digest, where);
  if (noApi?.get(`${where.registry}/${where.repository}`)) {
    // This repository's registry answered that it has no referrers API a moment ago: straight to the tag schema.
    return keep(
      await fallback(fetcher, where, referrersFallbackTag(parsed), ctx, logger),
      artifactType,
      where,
      logger,
    );
  }
  const found: Descriptor[] = [];
  let path: string | undefined = referrersPath(where, digest, artifactType);
  for (let page = 0; path !== undefined && page < MAX_REFERRER_PAGES; page++) {
    const what = `referrers of ${digest}`;
    const res = await fetcher.fetch(
      where,
      {
        method: 'GET',
        path,
        accept: OCI_INDEX,
        what,
        maxBytes: MAX_MANIFEST_BYTES,
        tooLargeCode: 'REGISTRY_MANIFEST_TOO_LARGE',
      },
      ctx,
    );
    const isIndex = contentTypeOf(res.headers['content-type']) === OCI_INDEX;
    if (page === 0 && (res.status === 404 || ((res.status === 400 || res.status === 405) && !isIndex))) {
      noApi?.set(`${where.registry}/${where.repository}`, true);
      return keep(
        await fallback(fetcher, where, referrersFallbackTag(parsed), ctx, logger),
        artifactType,
        where,
        logger,
      );
    }
    if (res.status !== 200) throw unexpectedStatus(where, what, res);
    found.push(...indexDescriptors(parseJson(res.bytes, where), where, logger));
    if (found.length > MAX_REFERRERS) break;
    path = nextPage(res.headers.link, where, logger);
  }
  return keep(found, artifactType, where, logger);
}

// fallback reads the tag-schema index; a missing tag means no referrers.
async function fallback(
  fetcher: RegistryFetcher,
  where: RepoWhere,
  tag: string,
  ctx: RegistryRequestContext,
  logger: Logger,
): Promise<Descriptor[]> {
  try {
    const index = await fetchManifest(fetcher, where, tag, ctx);
    if (index.descriptor.mediaType !== OCI_INDEX) {
      logger.warn(
        { registry: where.registry, repository: where.repository, tag },
        'referrers fallback tag is not an OCI index; ignoring it',
      );
      return [];
    }
    return indexDescriptors(index.json, where, logger);
  } catch (e) {
    if (isRegistryError(e, 'REGISTRY_NOT_FOUND')) return [];
    throw e;
  }
}

// keep applies the artifactType filter and the MAX_REFERRERS cap.
function keep(
  list: Descriptor[],
  artifactType: string | undefined,
  where: RepoWhere,
  logger: Logger,
): Descriptor[] {
  const filtered = artifactType === undefined ? list : list.filter((d) => d.artifactType === artifactType);
  if (filtered.length > MAX_REFERRERS) {
    logger.warn(
      { registry: where.registry, repository: where.repository, count: filtered.length },
      `more than ${MAX_REFERRERS} referrers; ignoring the rest`,
    );
    return filtered.slice(0, MAX_REFERRERS);
  }
  return filtered;
}

/** Shape-checks `manifests` of an index (attacker-controlled); malformed entries are dropped and logged. */
export function indexDescriptors(json: unknown, where: RepoWhere, logger: Logger): Descriptor[] {
  const manifests = (json as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${describeWhere(where)}: the referrers index has no "manifests" list`,
    );
  }
  const out: Descriptor[] = [];
  let dropped = 0;
  for (const m of manifests.slice(0, MAX_REFERRERS + 1)) {
    const d = toDescriptor(m);
    if (d === undefined) dropped++;
    else out.push(d);
  }
  if (dropped > 0)
    logger.warn(
      { registry: where.registry, repository: where.repository, dropped },
      'dropped malformed referrer descriptors',
    );
  return out;
}

// toDescriptor keeps the descriptor fields we use, when they are well-formed.
function toDescriptor(m: unknown): Descriptor | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as Record<string, unknown>;
  if (typeof o.mediaType !== 'string' || typeof o.digest !== 'string' || parseDigest(o.digest) === undefined)
    return undefined;
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) return undefined;
  const annotations = stringRecord(o.annotations);
  return {
    mediaType: o.mediaType,
    digest: o.digest,
    size: o.size,
    ...(typeof o.artifactType === 'string' ? { artifactType: o.artifactType } : {}),
    ...(annotations === undefined ? {} : { annotations }),
  };
}

// stringRecord keeps annotations only when every value is a string.
function stringRecord(v: unknown): Record<string, string> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const entries = Object.entries(v);
  return entries.every(([, x]) => typeof x === 'string')
    ? Object.fromEntries(entries as [string, string][])
    : undefined;
}

// parseJson reads a referrers page.
function parseJson(bytes: Buffer, where: RepoWhere): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${describeWhere(where)}: the referrers response is not JSON`,
    );
  }
}

const NEXT_PAGE_LINK = new RegExp(`<([^>]{1,${MAX_LINK_URL_CHARS}})>\\s*;\\s*rel="?next"?`, 'i');

// nextPage follows `Link: <…>; rel="next"` only to a path on the same registry API (attacker-controlled).
function nextPage(link: string | string[] | undefined, where: RepoWhere, logger: Logger): string | undefined {
  const v = Array.isArray(link) ? link.join(', ') : link;
  const m = v === undefined ? null : NEXT_PAGE_LINK.exec(v);
  if (m === null || m[1] === undefined) return undefined;
  const url = new URL(m[1], 'http://same.invalid');
  if (url.host !== 'same.invalid' || !url.pathname.startsWith(`/v2/${where.repository}/referrers/`)) {
    logger.warn(
      { registry: where.registry, repository: where.repository },
      'ignoring a referrers Link to another place',
    );
    return undefined;
  }
  return `${url.pathname}${url.search}`;
}
