import { LRUCache } from 'lru-cache';
import type { LayerEncryption } from '../policy/decide/decision.types';
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from '../registry/media-types';
import type { RegistryReader, RegistryRequestContext, RepositoryRef } from '../registry/registry.types';
import { isRecord } from '../guards';
import { EngineError } from './errors';
import { MAX_CACHED_ENCRYPTION_STATES, MAX_ENCRYPTION_MANIFESTS } from './limits';

/** ocicrypt marks an encrypted layer by this media type suffix (`…tar+gzip+encrypted`). */
const ENCRYPTED_SUFFIX = '+encrypted';
/** Layer media types (OCI and Docker, distributable or not); anything else in `layers` is not a layer. */
const LAYER_PREFIXES = ['application/vnd.oci.image.layer.', 'application/vnd.docker.image.rootfs.'];
const INDEX_TYPES = [OCI_INDEX, DOCKER_MANIFEST_LIST];
const IMAGE_TYPES = [OCI_MANIFEST, DOCKER_MANIFEST];

/**
 * The layer encryption of digests, remembered by digest alone: content-addressed, so the state of a digest
 * never changes, in any repository. Bounded by lru-cache; the warm path reads it without the registry.
 */
export class EncryptionCache {
  private readonly entries = new LRUCache<string, LayerEncryption>({ max: MAX_CACHED_ENCRYPTION_STATES });

  // get returns the remembered state of a digest.
  get(digest: string): LayerEncryption | undefined {
    return this.entries.get(digest);
  }

  // set remembers the state read from a digest-verified manifest.
  set(digest: string, state: LayerEncryption): void {
    this.entries.set(digest, state);
  }
}

/**
 * Reads the layer encryption of a digest: its manifest, or every image manifest its index names (at most
 * MAX_ENCRYPTION_MANIFESTS, else ENGINE_TOO_MANY_MANIFESTS). Every manifest is fetched by digest, so the
 * registry cannot substitute content. Config and non-layer blobs are not counted.
 */
export async function readLayerEncryption(
  registry: RegistryReader,
  repo: RepositoryRef,
  digest: string,
  ctx: RegistryRequestContext,
): Promise<LayerEncryption> {
  const queue = [digest];
  const seen = new Set<string>();
  let layers = 0;
  let encrypted = 0;
  let manifests = 0;
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    if (seen.size > MAX_ENCRYPTION_MANIFESTS) {
      throw new EngineError(
        'ENGINE_TOO_MANY_MANIFESTS',
        `${repo.registry}/${repo.repository}@${digest} names more than ${MAX_ENCRYPTION_MANIFESTS} manifests; ` +
          'Portcullis cannot judge its layer encryption (name one platform manifest by digest)',
        { details: { limit: MAX_ENCRYPTION_MANIFESTS } },
      );
    }
    const fetched = await registry.getManifest(repo, next, ctx);
    const json = fetched.json; // attacker-controlled: shape-checked below
    if (!isRecord(json)) continue;
    if (INDEX_TYPES.includes(fetched.descriptor.mediaType)) {
      for (const m of Array.isArray(json.manifests) ? (json.manifests as unknown[]) : []) {
        if (!isRecord(m) || typeof m.digest !== 'string' || typeof m.mediaType !== 'string') continue;
        if (INDEX_TYPES.includes(m.mediaType) || IMAGE_TYPES.includes(m.mediaType)) queue.push(m.digest);
      }
      continue;
    }
    manifests++;
    for (const layer of Array.isArray(json.layers) ? (json.layers as unknown[]) : []) {
      const type = isRecord(layer) && typeof layer.mediaType === 'string' ? layer.mediaType : '';
      if (!LAYER_PREFIXES.some((p) => type.startsWith(p))) continue;
      layers++;
      if (type.endsWith(ENCRYPTED_SUFFIX)) encrypted++;
    }
  }
  return { layers, encrypted, manifests };
}
