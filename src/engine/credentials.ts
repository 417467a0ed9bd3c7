import { createHash } from 'node:crypto';
import type { CompiledPolicy } from '../policy/compiled.types';
import { ChainedKeychain, Keychain } from '../registry';
import type { CredentialSource } from '../registry/registry.types';

/** A credential source plus an opaque identity of it (a hash, never the secrets themselves). */
export interface KeyedCredentials {
  readonly source: CredentialSource;
  readonly key: string;
}

// fingerprint identifies a set of docker configs without keeping their contents in a map key.
function fingerprint(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex').slice(0, 32);
}

/**
 * Builds the lookup order of DESIGN.md §5.4: the pod's pull secrets (and its ServiceAccount's), then
 * each governing policy's `registry.credentials`, then anonymous (the registry client's fallback).
 * Policy keychains are parsed once per compiled policy and reused.
 */
export class CredentialsBuilder {
  private readonly perPolicy = new WeakMap<CompiledPolicy, Keychain[]>();

  // forRequest chains the pod's docker configs ahead of the policies' credentials.
  forRequest(podConfigs: readonly string[], policies: readonly CompiledPolicy[]): KeyedCredentials {
    const sources: CredentialSource[] = podConfigs.map((json) => Keychain.fromDockerConfigJson(json));
    const parts = [...podConfigs];
    for (const policy of policies) {
      sources.push(...this.policyKeychains(policy));
      parts.push(...policy.registry.credentials);
    }
    return { source: new ChainedKeychain(sources), key: fingerprint(parts) };
  }

  // policyKeychains parses a policy's credentials the first time it is used.
  private policyKeychains(policy: CompiledPolicy): Keychain[] {
    let chains = this.perPolicy.get(policy);
    if (!chains) {
      chains = policy.registry.credentials.map((json) => Keychain.fromDockerConfigJson(json));
      this.perPolicy.set(policy, chains);
    }
    return chains;
  }
}
