import type { Bundle } from '@sigstore/bundle';
import { isRegistryError } from '../../registry/errors';
import type { Descriptor } from '../../registry/registry.types';
import type { VerifyContext, VerifyTarget } from '../verifier.types';
import { parseDsseBundle } from './bundle-check';
import { toLegacyBundle } from './legacy-bundle';
import { MAX_ATTESTATION_BYTES, type SignatureBudget } from './limits';
import { isSha256Digest, toLayers } from './manifest';
import { shortDigest } from '../../reference/format';
import {
  BUNDLE_ARTIFACT_TYPES,
  BUNDLE_LAYER_PREFIX,
  COSIGN_SIGN_PREDICATE_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  toAttestationTag,
} from './media-types';
import { quote } from './payload';

/** One attestation found for an image: a bundle to verify, or why it could not even be read. */
export type AttestationCandidate =
  | {
      readonly where: string;
      readonly bundle: Bundle;
      /** What its RFC 3161 timestamps cover, when not the signature: a cosign v2 `.att` layer as stored. */
      readonly timestamped?: Buffer;
    }
  | { readonly where: string; readonly unreadable: string };

/**
 * Yields the attestations stored for the target: sigstore bundle referrers (cosign v3) whose announced
 * predicateType is wanted or unannounced, then the layers of the legacy `sha256-<hex>.att` tag (cosign
 * v2). Skipping a bundle by its announcement is safe: it can only leave a requirement unmet (a denial).
 * Everything here is attacker-controlled until verified; the budget bounds the fetches.
 */
export async function* attestationCandidates(
  target: VerifyTarget,
  ctx: VerifyContext,
  budget: SignatureBudget,
  wanted: ReadonlySet<string>,
): AsyncGenerator<AttestationCandidate> {
  const referrers = await ctx.registry.listReferrers(target.repo, target.digest, ctx.request);
  for (const referrer of referrers) {
    if (referrer.artifactType === undefined || !BUNDLE_ARTIFACT_TYPES.includes(referrer.artifactType))
      continue;
    if (!isSha256Digest(referrer.digest)) continue;
    const announced = referrer.annotations?.[PREDICATE_TYPE_ANNOTATION];
    if (announced === COSIGN_SIGN_PREDICATE_TYPE || (announced !== undefined && !wanted.has(announced)))
      continue;
    if (!budget.take()) return;
    yield await fromReferrer(target, ctx, referrer);
  }
  yield* fromLegacyTag(target, ctx, budget);
}

// fromReferrer fetches a referrer manifest and its single bundle layer.
async function fromReferrer(
  target: VerifyTarget,
  ctx: VerifyContext,
  referrer: Descriptor,
): Promise<AttestationCandidate> {
  const where = `bundle ${shortDigest(referrer.digest)}`;
  const manifest = await ctx.registry.getManifest(target.repo, referrer.digest, ctx.request);
  const layers = toLayers(manifest.json);
  if (typeof layers === 'string') return { where, unreadable: layers };
  const layer = layers[0];
  if (layers.length !== 1 || layer === undefined || !layer.mediaType.startsWith(BUNDLE_LAYER_PREFIX)) {
    return {
      where,
      unreadable: `manifest must have exactly one bundle layer, has ${layers.length} layer(s)`,
    };
  }
  if (layer.size > MAX_ATTESTATION_BYTES) {
    return {
      where,
      unreadable: `bundle is ${layer.size} bytes, over the ${MAX_ATTESTATION_BYTES}-byte limit`,
    };
  }
  const bytes = await ctx.registry.getBlob(target.repo, layer, ctx.request, MAX_ATTESTATION_BYTES);
  const bundle = parseDsseBundle(bytes);
  return typeof bundle === 'string' ? { where, unreadable: bundle } : { where, bundle };
}

// fromLegacyTag reads the `.att` manifest: one DSSE envelope per layer, keyless material in annotations.
async function* fromLegacyTag(
  target: VerifyTarget,
  ctx: VerifyContext,
  budget: SignatureBudget,
): AsyncGenerator<AttestationCandidate> {
  const tag = toAttestationTag(target.digest);
  let json: unknown;
  try {
    json = (await ctx.registry.getManifest(target.repo, tag, ctx.request)).json;
  } catch (e) {
    if (isRegistryError(e, 'REGISTRY_NOT_FOUND')) return;
    throw e;
  }
  const layers = toLayers(json);
  if (typeof layers === 'string') {
    yield { where: tag, unreadable: layers };
    return;
  }
  for (const [i, layer] of layers.entries()) {
    const where = `${tag} layer ${i + 1}`;
    if (!budget.take()) return;
    if (layer.mediaType !== DSSE_ENVELOPE_MEDIA_TYPE) {
      yield { where, unreadable: `media type is ${quote(layer.mediaType)}, not a DSSE envelope` };
      continue;
    }
    if (layer.size > MAX_ATTESTATION_BYTES) {
      yield {
        where,
        unreadable: `envelope is ${layer.size} bytes, over the ${MAX_ATTESTATION_BYTES}-byte limit`,
      };
      continue;
    }
    const bytes = await ctx.registry.getBlob(target.repo, layer, ctx.request, MAX_ATTESTATION_BYTES);
    let envelope: unknown;
    try {
      envelope = JSON.parse(bytes.toString('utf8'));
    } catch {
      yield { where, unreadable: 'envelope is not JSON' };
      continue;
    }
    const bundle = toLegacyBundle({ kind: 'dsse', envelope }, layer.annotations ?? {});
    // cosign v2 timestamps an attestation's envelope as stored (it has no detached signature to timestamp).
    yield typeof bundle === 'string' ? { where, unreadable: bundle } : { where, bundle, timestamped: bytes };
  }
}
