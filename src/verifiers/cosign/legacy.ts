import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import { isRegistryError } from '../../registry/errors';
import type { Descriptor, FetchedManifest } from '../../registry/registry.types';
import type { VerifyContext, VerifyTarget } from '../verifier.types';
import { checkLegacySignature } from './legacy-check';
import { LEGACY_BLOB_PREFETCH, MAX_SIMPLE_SIGNING_BYTES, type SignatureBudget } from './limits';
import { toLayers } from './manifest';
import { SIGNATURE_ANNOTATION, SIMPLE_SIGNING_MEDIA_TYPE, toSignatureTag } from './media-types';
import type { SignatureOutcome } from './outcome.types';
import { quote } from './payload';

/**
 * Yields one outcome per layer of the legacy `sha256-<hex>.sig` manifest (cosign v2's format), until the
 * consumer stops or the budget runs out. A missing tag yields nothing; other registry errors propagate.
 */
export async function* examineLegacy(
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  ctx: VerifyContext,
  budget: SignatureBudget,
): AsyncGenerator<SignatureOutcome> {
  const tag = toSignatureTag(target.digest);
  const manifest = await fetchSignatureManifest(target, ctx, tag);
  if (manifest === undefined) return;
  // Attacker-controlled: anyone who can push to the repository can write this tag.
  const layers = toLayers(manifest.json);
  if (typeof layers === 'string') {
    yield { ok: false, kind: 'payload', where: tag, reason: layers, keyVerified: false };
    return;
  }
  // Up to LEGACY_BLOB_PREFETCH payloads are fetched ahead, in order, and never more than the budget allows.
  const prefetched = new Map<number, Promise<Buffer>>();
  const prefetch = (from: number): void => {
    const end = Math.min(layers.length, from + LEGACY_BLOB_PREFETCH, from + budget.left() + 1);
    for (let j = from; j < end; j++) {
      const layer = layers[j];
      if (prefetched.has(j) || layer === undefined || layerProblem(layer) !== undefined) continue;
      // getBlob verifies the bytes against the layer digest; the signature covers these exact bytes.
      const blob = ctx.registry.getBlob(target.repo, layer, ctx.request, MAX_SIMPLE_SIGNING_BYTES);
      // A fetch ahead that is never awaited (an earlier layer matched) must not be an unhandled rejection.
      blob.catch(() => undefined);
      prefetched.set(j, blob);
    }
  };
  for (const [i, layer] of layers.entries()) {
    const where = `${tag} layer ${i + 1}`;
    if (!budget.take()) return;
    const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
    const problem = layerProblem(layer);
    if (problem !== undefined || signature === undefined) {
      yield { ok: false, kind: 'payload', where, reason: problem ?? 'no signature', keyVerified: false };
      continue;
    }
    prefetch(i);
    const payload = await (prefetched.get(i) as Promise<Buffer>);
    prefetched.delete(i);
    const annotations = layer.annotations ?? {};
    yield checkLegacySignature(payload, signature, annotations, target, authority, root, where);
  }
}

// layerProblem says why a layer cannot hold a simple-signing signature we would check (attacker-controlled).
function layerProblem(layer: Descriptor): string | undefined {
  const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
  if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE)
    return `media type is ${quote(layer.mediaType)}, not simple-signing`;
  if (signature === undefined) return `no ${SIGNATURE_ANNOTATION} annotation`;
  if (layer.size > MAX_SIMPLE_SIGNING_BYTES)
    return `payload is ${layer.size} bytes, over the ${MAX_SIMPLE_SIGNING_BYTES}-byte limit`;
  return undefined;
}

// fetchSignatureManifest treats a missing `.sig` tag as "no legacy signatures", not as an error.
async function fetchSignatureManifest(
  target: VerifyTarget,
  ctx: VerifyContext,
  tag: string,
): Promise<FetchedManifest | undefined> {
  try {
    return await ctx.registry.getManifest(target.repo, tag, ctx.request);
  } catch (e) {
    if (isRegistryError(e, 'REGISTRY_NOT_FOUND')) return undefined;
    throw e;
  }
}
