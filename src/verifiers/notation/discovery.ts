import type { Descriptor } from '../../registry/registry.types';
import { isSha256Digest, toLayers } from '../cosign/manifest';
import { shortDigest } from '../../reference/format';
import type { VerifyContext, VerifyTarget } from '../verifier.types';
import { MAX_ENVELOPE_BYTES, MAX_NOTATION_SIGNATURES } from './limits';
import { COSE_MEDIA_TYPE, JWS_MEDIA_TYPE, NOTATION_ARTIFACT_TYPE } from './media-types';
import type { EnvelopeRejected } from './outcome.types';

const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json'];

/** A Notation signature found for the image: its envelope bytes and media type. */
export interface FoundEnvelope {
  readonly where: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
}

/** How discovery went, for the final message. */
export interface DiscoveryStats {
  found: number;
  /** True when MAX_NOTATION_SIGNATURES stopped the search. */
  exhausted: boolean;
}

/**
 * Yields the Notation signatures of the target: referrers (API, or the `sha256-<hex>` tag index on 404)
 * whose artifactType is the Notary signature type, or, in the older layout, whose manifest config has that
 * media type and no artifactType. Each has exactly one JWS or COSE layer. Malformed ones are yielded as
 * rejections. Stops after MAX_NOTATION_SIGNATURES. Registry errors propagate.
 */
export async function* findEnvelopes(
  target: VerifyTarget,
  ctx: VerifyContext,
  stats: DiscoveryStats,
): AsyncGenerator<FoundEnvelope | EnvelopeRejected> {
  // Attacker-controlled list: each descriptor is a claim until its envelope verifies.
  const referrers = await ctx.registry.listReferrers(target.repo, target.digest, ctx.request);
  for (const referrer of referrers.filter(isCandidate)) {
    if (stats.found >= MAX_NOTATION_SIGNATURES) {
      stats.exhausted = true;
      return;
    }
    const where = `signature ${shortDigest(referrer.digest)}`;
    const manifest = await ctx.registry.getManifest(target.repo, referrer.digest, ctx.request);
    const kind = describeManifest(manifest.json, target.digest);
    if (kind === 'other') continue;
    stats.found += 1;
    if (kind !== 'notation') {
      yield { ok: false, where, check: 'format', code: 'VERIFY_ENVELOPE_INVALID', reason: kind };
      continue;
    }
    const layers = toLayers(manifest.json);
    const layer = typeof layers === 'string' ? undefined : layers[0];
    const problem =
      typeof layers === 'string'
        ? layers
        : layers.length !== 1 || layer === undefined
          ? `a Notation signature manifest needs exactly one layer, this one has ${layers.length}`
          : describeLayer(layer);
    if (problem !== undefined || layer === undefined) {
      yield {
        ok: false,
        where,
        check: 'format',
        code: 'VERIFY_ENVELOPE_INVALID',
        reason: problem ?? 'no layer',
      };
      continue;
    }
    const bytes = await ctx.registry.getBlob(target.repo, layer, ctx.request, MAX_ENVELOPE_BYTES);
    yield { where, mediaType: layer.mediaType, bytes };
  }
}

// isCandidate keeps Notation referrers, and artifactType-less manifests that may be the older layout.
function isCandidate(d: Descriptor): boolean {
  if (!isSha256Digest(d.digest)) return false;
  if (d.artifactType !== undefined) return d.artifactType === NOTATION_ARTIFACT_TYPE;
  return MANIFEST_TYPES.includes(d.mediaType);
}

// describeManifest says whether a referrer is a Notation signature for `digest`; other artifacts are 'other'.
function describeManifest(json: unknown, digest: string): 'notation' | 'other' | string {
  if (typeof json !== 'object' || json === null) return 'the signature manifest is not a JSON object';
  const m = json as {
    artifactType?: unknown;
    config?: { mediaType?: unknown };
    subject?: { digest?: unknown };
  };
  const isNotation =
    m.artifactType === NOTATION_ARTIFACT_TYPE ||
    (m.artifactType === undefined && m.config?.mediaType === NOTATION_ARTIFACT_TYPE);
  if (!isNotation) return 'other';
  if (m.subject !== undefined && m.subject.digest !== digest)
    return `the signature manifest's subject is ${String(m.subject.digest).slice(0, 80)}, not ${digest}`;
  return 'notation';
}

// describeLayer checks the envelope layer's media type and announced size.
function describeLayer(layer: Descriptor): string | undefined {
  if (layer.mediaType !== JWS_MEDIA_TYPE && layer.mediaType !== COSE_MEDIA_TYPE)
    return `the signature layer's media type "${layer.mediaType.slice(0, 80)}" is neither ${JWS_MEDIA_TYPE} nor ${COSE_MEDIA_TYPE}`;
  if (layer.size > MAX_ENVELOPE_BYTES)
    return `the envelope is ${layer.size} bytes, over the ${MAX_ENVELOPE_BYTES}-byte limit`;
  return undefined;
}
