import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { CompiledPolicy } from '../policy/compile/compiled.types';
import { ChainedKeychain, CredentialHelpers, fromOperatorDockerConfig, Keychain } from '../registry';
import type { CredentialSource } from '../registry/registry.types';

/** Distinct pull-secret docker configs kept parsed (pods of one namespace share a few); least recently used go first. */
export const MAX_CACHED_POD_KEYCHAINS = 512;

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
 * Builds the lookup order of docs/policy.md: the pod's pull secrets (and its ServiceAccount's), then the
 * operator's `--docker-config` files (the only ones whose `credHelpers`/`credsStore` are honoured), then
 * each governing policy's `registry.credentials`, then anonymous (the registry client's fallback).
 * Operator files are parsed once here (a bad one fails at start); policy keychains once per compiled policy;
 * pod keychains once per distinct docker config.
 */
export class CredentialsBuilder {
  private readonly perPolicy = new WeakMap<CompiledPolicy, Keychain[]>();
  private readonly perConfig = new LRUCache<string, Keychain>({ max: MAX_CACHED_POD_KEYCHAINS });
  private readonly operator: readonly CredentialSource[];

  constructor(
    private readonly operatorConfigs: readonly string[] = [],
    helpers: CredentialHelpers = new CredentialHelpers(),
  ) {
    this.operator = operatorConfigs.map((json) => fromOperatorDockerConfig(json, helpers));
  }

  // forRequest chains the pod's docker configs and the operator's ahead of the policies' credentials.
  forRequest(podConfigs: readonly string[], policies: readonly CompiledPolicy[]): KeyedCredentials {
    const sources: CredentialSource[] = podConfigs.map((json) => this.podKeychain(json));
    sources.push(...this.operator);
    const parts = [...podConfigs, ...this.operatorConfigs];
    for (const policy of policies) {
      sources.push(...this.policyKeychains(policy));
      parts.push(...policy.registry.credentials);
    }
    return { source: new ChainedKeychain(sources), key: fingerprint(parts) };
  }

  // podKeychain parses a pull secret's docker config once; the least recently used goes when the cache is full.
  private podKeychain(json: string): Keychain {
    let chain = this.perConfig.get(json);
    if (!chain) {
      chain = Keychain.fromDockerConfigJson(json);
      this.perConfig.set(json, chain);
    }
    return chain;
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
