import type { KeyObject, X509Certificate } from 'node:crypto';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { ImageMatcher } from '../../reference/reference.types';
import type { NamespaceLabelFacts } from '../decide/namespace-labels';

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

/**
 * A cosign authority. Exactly one of `keys` (non-empty) or `keyless` says who may sign. With
 * `attestations`, the authority is satisfied by those attestations (each one required), not by an image
 * signature; to demand both, write two authorities and a threshold.
 */
export interface CompiledCosignAuthority {
  readonly kind: 'cosign';
  readonly name: string;
  /** Its verdict holds only for the name it was reached through: true exactly when `signedIdentity` is set. */
  readonly referenceBound: boolean;
  readonly keys: readonly CompiledPublicKey[];
  readonly keyless?: CompiledKeyless;
  readonly tlog: CompiledTlog;
  readonly attestations: readonly CompiledAttestationRule[];
  /** When set, only legacy signatures whose docker-reference this rule accepts count (docs/cosign.md). */
  readonly signedIdentity?: CompiledSignedIdentity;
}

/** A sigstore TrustedRoot, parsed and checked once (policy/authorities/trusted-root.ts). */
export interface CompiledTrustedRoot {
  /** `sha256:<hex>` of the JSON text it was parsed from: the cache key of its trust material. */
  readonly id: string;
  /** Where it came from, for messages: `inline`, `ConfigMap ns/name key "k"`, `public-good (embedded)`. */
  readonly source: string;
  /** The parsed TrustedRoot (@sigstore/protobuf-specs), every authority with a validity start. */
  readonly root: TrustedRoot;
}

/** Which TrustedRoot a keyless authority uses: the one in the policy, or the current public-good root. */
export type TrustedRootRef =
  { readonly kind: 'public-good' } | { readonly kind: 'given'; readonly root: CompiledTrustedRoot };

/** Matches one certificate value exactly, or with an anchored regular expression. */
export interface StringMatcher {
  /** What the policy said, for messages: `"https://github.com/acme"` or `/^(?:https://github\.com/.*)$/`. */
  readonly text: string;
  readonly test: (value: string) => boolean;
}

/** The Fulcio certificate extensions a policy may match (OIDs 1.3.6.1.4.1.57264.1.*). */
export const FULCIO_EXTENSION_NAMES = [
  'sourceRepositoryURI',
  'sourceRepositoryRef',
  'sourceRepositoryDigest',
  'buildConfigURI',
  'buildTrigger',
  'buildSignerURI',
  'buildSignerDigest',
  'runnerEnvironment',
] as const;
export type FulcioExtensionName = (typeof FULCIO_EXTENSION_NAMES)[number];

/** One accepted signer identity: every matcher it has must match the certificate. */
export interface CompiledIdentity {
  /** The identity as the policy wrote it, for messages. */
  readonly text: string;
  readonly issuer?: StringMatcher;
  readonly subject?: StringMatcher;
  readonly extensions: readonly { readonly name: FulcioExtensionName; readonly match: StringMatcher }[];
}

export interface CompiledKeyless {
  readonly identities: readonly CompiledIdentity[];
  readonly trustedRoot: TrustedRootRef;
}

/** Transparency-log rules. `rekorKeys`, when set, replace the TrustedRoot's logs. */
export interface CompiledTlog {
  readonly required: boolean;
  readonly rekorKeys: readonly CompiledPublicKey[];
}

/** A CEL condition compiled once; `evaluate` is pure and bounded. */
export interface CompiledCondition {
  /** The expression as written, for messages. */
  readonly source: string;
  /** True when the condition holds; a string says why it could not be evaluated (error, not bool). */
  readonly evaluate: (input: ConditionInput) => true | false | { readonly error: string };
}

/** What a condition sees: the verified statement's predicate and predicateType. */
export interface ConditionInput {
  readonly predicateType: string;
  readonly predicate: unknown;
}

/** One attestation the authority requires: a signed statement of `predicateType` passing `conditions`. */
export interface CompiledAttestationRule {
  readonly name: string;
  readonly predicateType: string;
  readonly conditions: readonly CompiledCondition[];
}

/**
 * Every authority kind. The verifier dispatcher switches on `kind` with an exhaustive `never` check,
 * so adding notaryV1 / notation / ociVault here forces a verifier for each.
 */
export type CompiledAuthority =
  | CompiledCosignAuthority
  | CompiledNotaryV1Authority
  | CompiledNotationAuthority
  | CompiledOciVaultAuthority
  | CompiledSimpleSigningAuthority;

/** An OpenPGP primary key a simpleSigning authority trusts, by its v4 fingerprint (40 upper-case hex digits). */
export interface CompiledGpgKey {
  readonly fingerprint: string;
}

/**
 * containers-policy.json(5) `signedIdentity`, with its references already parsed and normalised
 * (`dockerReference` fully qualified with its tag or digest; `dockerRepository` a fully qualified name).
 */
export type CompiledSignedIdentity =
  | { readonly type: 'matchRepoDigestOrExact' }
  | { readonly type: 'matchRepository' }
  | { readonly type: 'matchExact' }
  | { readonly type: 'exactReference'; readonly dockerReference: string }
  | { readonly type: 'exactRepository'; readonly dockerRepository: string }
  | { readonly type: 'remapIdentity'; readonly prefix: string; readonly signedPrefix: string };

/** A GPG simple-signing authority (containers-policy.json(5) `signedBy`, keyType GPGKeys). */
export interface CompiledSimpleSigningAuthority {
  readonly kind: 'simpleSigning';
  readonly name: string;
  /** Always true: `signedIdentity` is matched against the reference, so a verdict holds for that name only. */
  readonly referenceBound: true;
  /** The primary keys that may sign (a signature by one of their subkeys counts for the primary key). */
  readonly keys: readonly CompiledGpgKey[];
  /** The binary OpenPGP packets of every key, read by the OpenPGP library once, on first use. */
  readonly keyring: Uint8Array;
  readonly signedIdentity: CompiledSignedIdentity;
  /** The lookaside base URL, without a trailing slash. */
  readonly lookaside: string;
}

/** A pinned Notary root key; `tufKeyIds` are the key ids its pinned form has in root.json (hex). */
export interface CompiledNotaryRootKey extends CompiledPublicKey {
  readonly tufKeyIds: readonly string[];
}

/** A Notary v1 (Docker Content Trust) authority: the server, pinned root keys and required delegations. */
export interface CompiledNotaryV1Authority {
  readonly kind: 'notaryV1';
  readonly name: string;
  /** Always true: trust data belongs to one repository and signs tags, so a verdict holds for that name only. */
  readonly referenceBound: true;
  /** The server's base URL, without a trailing slash. */
  readonly server: string;
  readonly rootKeys: readonly CompiledNotaryRootKey[];
  /** Roles that must each have signed the digest, e.g. `targets/releases`. */
  readonly delegations: readonly string[];
}

/** A trust-store certificate parsed once at compile time (DER kept for exact comparison with x5c). */
export interface CompiledCertificate {
  readonly der: Buffer;
  readonly x509: X509Certificate;
  /** `sha256:<hex>` of the DER; for messages. */
  readonly id: string;
}

/** One `x509.subject:` trusted identity, as attribute type (upper-case short name or OID) / value pairs. */
export interface CompiledDistinguishedName {
  readonly text: string;
  readonly attributes: readonly { readonly type: string; readonly value: string }[];
}

/** A Notary Project (Notation) authority: trust store, trusted identities and level (Notation trust policy). */
export interface CompiledNotationAuthority {
  readonly kind: 'notation';
  readonly name: string;
  /** Always false: the signature binds the digest, so any name of it runs the same bytes. */
  readonly referenceBound: false;
  readonly trustStore: {
    readonly ca: readonly CompiledCertificate[];
    readonly signingAuthority: readonly CompiledCertificate[];
    readonly tsa: readonly CompiledCertificate[];
  };
  /** `'any'` for `*`. */
  readonly trustedIdentities: 'any' | readonly CompiledDistinguishedName[];
  readonly verificationLevel: 'strict' | 'permissive' | 'audit';
  /** Notation's `verifyTimestamp`: `always` (default) or only `afterCertExpiry`. */
  readonly verifyTimestamp: 'always' | 'afterCertExpiry';
  /** What a revocation check does when no CRL can be fetched: a failed check (`deny`) or a warning. */
  readonly revocationUnreachable: 'deny' | 'warn';
}

/** One trusted OCI Vault key; `publicKey` (RSA ≥ 2048) when the policy pins it, else fetched from KMS. */
export interface CompiledOciVaultKey {
  readonly keyId: string;
  readonly publicKey?: CompiledPublicKey;
}

/** How the OCI API calls are authenticated; an API key is resolved from its Secret at compile time. */
export type CompiledOciVaultAuth =
  | {
      readonly kind: 'apiKey';
      /** `namespace/name` of the Secret, for messages. */
      readonly secret: string;
      readonly tenancy: string;
      readonly user: string;
      readonly fingerprint: string;
      /** PEM; never logged or put in a message. */
      readonly privateKey: string;
      readonly passphrase?: string;
    }
  | { readonly kind: 'instancePrincipal' }
  | { readonly kind: 'workloadIdentity' }
  | { readonly kind: 'configFile'; readonly configFile: string; readonly profile: string };

/** An OCI Vault (OCIR image signature) authority, as OKE's image verification policy checks it. */
export interface CompiledOciVaultAuthority {
  readonly kind: 'ociVault';
  readonly name: string;
  /** Always false: the signature binds the digest, so any name of it runs the same bytes. */
  readonly referenceBound: false;
  readonly region: string;
  readonly compartmentId: string;
  /** Artifacts API base URL override (tests, sovereign realms); default from the region. */
  readonly endpoint?: string;
  /** KMS management API base URL override; default derived from each key's OCID and the region. */
  readonly keyManagementEndpoint?: string;
  readonly keys: readonly CompiledOciVaultKey[];
  readonly auth: CompiledOciVaultAuth;
}

/** A selector's verdict on a namespace: `unknown` when it reads a label whose value is not known. */
export type SelectorVerdict = 'match' | 'no-match' | 'unknown';

/** Resolves a Kubernetes label selector; compiled once from `matchLabels` / `matchExpressions`. */
export interface CompiledLabelSelector {
  judge(namespace: NamespaceLabelFacts): SelectorVerdict;
  /** Every label key the selector reads. */
  readonly keys: readonly string[];
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

/** What a policy demands of an image's layers: `any` when `spec.encryption` says nothing. */
export type EncryptionRule = 'required' | 'forbidden' | 'any';

/** `spec.placement`, compiled: what a pod running a governed image must request. */
export interface CompiledPlacement {
  /** One of these must be the pod's runtimeClassName; empty: any (or none). */
  readonly runtimeClassNames: readonly string[];
  /** Node labels the pod's nodeSelector or every required node affinity term must guarantee, sorted by key. */
  readonly nodeSelector: readonly (readonly [string, string])[];
  readonly mutate: boolean;
  /** `encrypted`: only for images with an encrypted layer (docs/adr/0009-placement-rules.md). */
  readonly when: 'always' | 'encrypted';
}

/** One `images` or `excludeImages` entry: a name glob, limited to `tags` when set. */
export interface ImageEntryMatcher extends ImageMatcher {
  readonly tags?: ReadonlySet<string>;
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
  readonly images: readonly ImageEntryMatcher[];
  /** `spec.excludeImages`: an image one of these matches is not governed, even when `images` matches it. */
  readonly excludeImages: readonly ImageEntryMatcher[];
  /** ClusterImagePolicy only; undefined selects every namespace. */
  readonly namespaceSelector?: CompiledLabelSelector;
  readonly requireDigest: boolean;
  readonly threshold: number;
  readonly authorities: readonly CompiledAuthority[];
  readonly breakGlass: CompiledBreakGlass;
  readonly registry: {
    /** dockerconfigjson payloads resolved from `registry.credentials` secretRefs at compile time. */
    readonly credentials: readonly string[];
    readonly onError: 'deny' | 'allow' | 'allowVerified';
    /** With allowVerified: the oldest verification that may stand in for an unreachable registry. */
    readonly maxStalenessMs: number;
  };
  readonly encryption: EncryptionRule;
  readonly placement?: CompiledPlacement;
}
