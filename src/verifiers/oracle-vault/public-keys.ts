import { createPublicKey, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Region } from 'oci-common';
import { toCompiledKey } from '../../policy/authorities/keys';
import { registryError } from '../../registry/errors';
import { MAX_CACHED_OCI_PUBLIC_KEYS } from './limits';

/** `ocid1.key.<realm>.<region>.<vault extension>.<id>`: oci-cli derives the vault's KMS hosts from this. */
const KEY_OCID_PARTS = /^ocid1\.key\.[\w-]+\.[\w-]+\.([\w-]+)\.\w+$/;

/**
 * The KMS management endpoint of a key's vault, `https://<vault ext>-management.kms.<region>.<realm domain>`,
 * derived from the key OCID the way oci-cli derives the crypto endpoint; undefined when the OCID does not
 * carry a vault extension (then `ociVault.keyManagementEndpoint` is needed).
 */
export function toKmsManagementEndpoint(keyId: string, region: string): string | undefined {
  const vault = KEY_OCID_PARTS.exec(keyId)?.[1];
  if (!vault) return undefined;
  try {
    return `https://${vault}-management.kms.${region}.${Region.fromRegionId(region).realm.secondLevelDomain}`;
  } catch {
    return undefined;
  }
}

/** Parses a public key returned by KMS (RSA ≥ 2048 bits only); throws REGISTRY_BAD_RESPONSE otherwise. */
export function toOciPublicKey(pem: string, endpoint: string, keyVersionId: string): KeyObject {
  try {
    const key = toCompiledKey(createPublicKey({ key: pem, format: 'pem' }), 'publicKey');
    if (key.type !== 'rsa') throw new Error(`a ${key.type} key`);
    return key.keyObject;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      { registry: endpoint },
      `OCI Vault KMS returned an unusable public key for ${keyVersionId} (${why.slice(0, 200)}); OCIR signatures need RSA ≥ 2048 bits`,
      { cause: error },
    );
  }
}

/**
 * Public keys of key versions, fetched once and kept (a key version's public key never changes). Concurrent
 * lookups of one key share a fetch; failures are not cached. Bounded: the least recently used is evicted.
 * lru-cache's `fetchMethod` does all three; the loader comes per call, as the fetch context, because it
 * carries the request's deadline and signer.
 */
export class OciPublicKeyCache {
  private readonly entries = new LRUCache<string, KeyObject, () => Promise<KeyObject>>({
    max: MAX_CACHED_OCI_PUBLIC_KEYS,
    // A fetch whose entry is evicted while in flight still answers its callers; its key is just not kept.
    ignoreFetchAbort: true,
    fetchMethod: (_id, _stale, { context }) => context(),
  });

  /** Returns the cached key of `id`, or runs `load` once for it. */
  get(id: string, load: () => Promise<KeyObject>): Promise<KeyObject> {
    return this.entries.forceFetch(id, { context: load });
  }
}
