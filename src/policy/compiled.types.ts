import type { KeyObject } from 'node:crypto';
import type { ImageMatcher } from '../reference/reference.types';

export type PolicyMode = 'enforce' | 'warn' | 'audit';
export type NoMatchAction = 'deny' | 'allow' | 'warn';
export type PolicyKind = 'ClusterImagePolicy' | 'ImagePolicy';

/** A public key parsed once at compile time. `id` is a stable, non-secret fingerprint for messages. */
export interface CompiledPublicKey {
  readonly id: string;
  readonly type: 'ecdsa' | 'rsa' | 'ed25519';
  /** For ECDSA: P-256, P-384 or P-521. */
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly keyObject: KeyObject;
  /** Raw 32-byte Ed25519 public key, for Ed25519ph (node:crypto cannot do the prehash variant). */
  readonly ed25519Raw?: Uint8Array;
}

/** A cosign authority with its keys compiled. Keyless and attestations come later. */
export interface CompiledCosignAuthority {
  readonly kind: 'cosign';
  readonly name: string;
  readonly keys: readonly CompiledPublicKey[];
}

/**
 * Every authority kind. The verifier dispatcher switches on `kind` with an exhaustive `never` check,
 * so adding notaryV1 / notation / ociVault here forces a verifier for each.
 */
export type CompiledAuthority = CompiledCosignAuthority;

/** Resolves a Kubernetes label selector; compiled once from `matchLabels` / `matchExpressions`. */
export interface CompiledLabelSelector {
  matches(labels: Readonly<Record<string, string>>): boolean;
}

export interface CompiledBreakGlass {
  readonly allowed: boolean;
  readonly requireReason: boolean;
  /** When non-empty, only requests from users in one of these groups may break glass. */
  readonly allowedGroups: readonly string[];
}

export interface SecretReference {
  readonly name: string;
  readonly namespace?: string;
  readonly key?: string;
}

/** A policy after validation and compilation: everything the hot path needs, nothing to parse. */
export interface CompiledPolicy {
  readonly kind: PolicyKind;
  readonly name: string;
  /** ImagePolicy only: the namespace it governs. */
  readonly namespace?: string;
  readonly generation: number;
  /** `ClusterImagePolicy/name` or `ImagePolicy/ns/name`; used in messages. */
  readonly id: string;
  /** `id@generation`; part of every verdict cache key. */
  readonly cacheKey: string;
  readonly mode: PolicyMode;
  readonly images: readonly ImageMatcher[];
  /** ClusterImagePolicy only; undefined selects every namespace. */
  readonly namespaceSelector?: CompiledLabelSelector;
  readonly requireDigest: boolean;
  readonly threshold: number;
  readonly authorities: readonly CompiledAuthority[];
  readonly breakGlass: CompiledBreakGlass;
  readonly registry: {
    /** dockerconfigjson payloads resolved from `registry.credentials` secretRefs at compile time. */
    readonly credentials: readonly string[];
    readonly onError: 'deny' | 'allow';
  };
}
