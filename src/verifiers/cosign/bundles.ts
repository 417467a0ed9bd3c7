import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import type { Descriptor } from '../../registry/registry.types';
import type { VerifyContext, VerifyTarget } from '../verifier.types';
import { checkBundle } from './bundle-check';
import { MAX_BUNDLE_BYTES, type SignatureBudget } from './limits';
import { isSha256Digest, toAnnotations, toLayers } from './manifest';
import { shortDigest } from '../../reference/format';
import {
  BUNDLE_ARTIFACT_TYPES,
  BUNDLE_LAYER_PREFIX,
  COSIGN_SIGN_PREDICATE_TYPE,
  PREDICATE_TYPE_ANNOTATION,
} from './media-types';
import type { SignatureOutcome } from './outcome.types';
import { quote } from './payload';

/**
 * Yields one outcome per sigstore bundle referrer of the target (cosign v3's default format), in the
 * registry's order, until the consumer stops or the budget runs out. Registry errors propagate.
 */
export async function* examineBundles(
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  ctx: VerifyContext,
  budget: SignatureBudget,
): AsyncGenerator<SignatureOutcome> {
  // Attacker-controlled list: every descriptor is a claim until its content verifies.
  const referrers = await ctx.registry.listReferrers(target.repo, target.digest, ctx.request);
  for (const referrer of referrers) {
    const { artifactType } = referrer;
    if (artifactType === undefined || !BUNDLE_ARTIFACT_TYPES.includes(artifactType)) continue;
    if (!isSha256Digest(referrer.digest)) continue;
    const where = `bundle ${shortDigest(referrer.digest)}`;
    const announced = referrer.annotations?.[PREDICATE_TYPE_ANNOTATION];
    if (announced !== undefined && announced !== COSIGN_SIGN_PREDICATE_TYPE) {
      // Skipped without fetching: attestations (SBOMs...) can be large and never count as signatures.
      yield attestation(where, announced);
      continue;
    }
    if (!budget.take()) return;
    yield await examineBundle(target, authority, root, ctx, referrer, where);
  }
}

// examineBundle fetches the referrer manifest, then its single bundle layer, and checks the bundle.
async function examineBundle(
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  ctx: VerifyContext,
  referrer: Descriptor,
  where: string,
): Promise<SignatureOutcome> {
  const manifest = await ctx.registry.getManifest(target.repo, referrer.digest, ctx.request);
  const announced = toAnnotations(manifest.json)[PREDICATE_TYPE_ANNOTATION];
  if (announced !== undefined && announced !== COSIGN_SIGN_PREDICATE_TYPE)
    return attestation(where, announced);
  const layers = toLayers(manifest.json);
  if (typeof layers === 'string') return malformed(where, layers);
  const bundleLayers = layers.filter((l) => l.mediaType.startsWith(BUNDLE_LAYER_PREFIX));
  const layer = bundleLayers[0];
  if (layers.length !== 1 || layer === undefined) {
    return malformed(where, `manifest must have exactly one bundle layer, has ${layers.length} layer(s)`);
  }
  if (layer.size > MAX_BUNDLE_BYTES) {
    return malformed(where, `bundle is ${layer.size} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`);
  }
  const bytes = await ctx.registry.getBlob(target.repo, layer, ctx.request, MAX_BUNDLE_BYTES);
  return checkBundle(bytes, target.digest, authority, root, where);
}

// attestation records a bundle that announces another predicateType; it is never verified as a signature.
function attestation(where: string, predicateType: string): SignatureOutcome {
  const reason = `an attestation (predicateType ${quote(predicateType)}), not a cosign signature`;
  return { ok: false, kind: 'predicate', where, reason, keyVerified: false };
}

// malformed records a referrer whose manifest is not a cosign bundle manifest.
function malformed(where: string, reason: string): SignatureOutcome {
  return { ok: false, kind: 'payload', where, reason, keyVerified: false };
}
