import type { CosignAuthority } from './crd-cosign.types';
import type { EncryptionSpec, PlacementSpec } from './crd-placement.types';

export type { EncryptionSpec, PlacementSpec, PlacementWhen } from './crd-placement.types';
export type {
  CosignKey,
  FulcioExtensions,
  KeylessIdentity,
  CosignKeyless,
  CosignTlog,
  CosignAttestation,
  CosignAuthority,
} from './crd-cosign.types';

/**
 * The policy CRDs (`portcullis.dev/v1alpha1`) as users write them (docs/policy.md#fields); simpleSigning's types are
 * in simple-signing.types.ts. The CRD schema is generated from them through schema.ts, whose builder makes `tsc` fail
 * when a field has no schema (ADR 0002). Optional fields may be omitted: the API server and the compiler default them.
 */

import type { SimpleSigningAuthority } from './simple-signing.types';
export const POLICY_API_GROUP = 'portcullis.dev';
export const POLICY_API_VERSION = 'portcullis.dev/v1alpha1';

export type CrdPolicyMode = 'enforce' | 'warn' | 'audit';
export type CrdOnError = 'deny' | 'allow' | 'allowVerified';
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
export type NotationVerificationLevel = 'strict' | 'permissive' | 'audit';
export type NotationVerifyTimestamp = 'always' | 'afterCertExpiry';
export type NotationRevocationUnreachable = 'deny' | 'warn';
/** A standard Kubernetes label selector. `{}` selects every namespace. */
export interface LabelSelector {
  /** Labels a namespace must carry, each with exactly this value (all must match). */
  matchLabels?: Record<string, string>;
  /** Label requirements a namespace must meet (all must match). */
  matchExpressions?: LabelSelectorRequirement[];
}

/** One label requirement: a key, an operator and (for In / NotIn) values. */
export interface LabelSelectorRequirement {
  /** The label key, e.g. kubernetes.io/metadata.name. */
  key: string;
  /** In, NotIn, Exists or DoesNotExist. */
  operator: LabelSelectorOperator;
  /** Required and non-empty for In / NotIn; must be empty for Exists / DoesNotExist. */
  values?: string[];
}

/** One image pattern this policy governs. */
export interface ImageGlob {
  /**
   * An anchored glob on the normalised image name (registry/repository, no tag or digest), e.g.
   * registry.example.com/team/** (any depth) or docker.io/library/* (one path segment). Short names are
   * normalised first: nginx means docker.io/library/nginx.
   */
  glob: string;
  /**
   * Only these tags (1 to 64 exact tags; a name with neither tag nor digest is latest). In images: the entry
   * matches a reference that names one of them, as written. In excludeImages: a reference with a digest is
   * excluded only while its tag resolves to that digest (docs/policy.md#tags-and-exclusions).
   */
  tags?: string[];
}

/** A key in a Secret. For an ImagePolicy the namespace defaults to (and must equal) the policy's own. */
export interface SecretKeyRef {
  /** The Secret's name. */
  name: string;
  /** The Secret's namespace. Required in a ClusterImagePolicy; an ImagePolicy may only use its own namespace. */
  namespace?: string;
  /** The key in the Secret's data that holds the value, e.g. cosign.pub. */
  key: string;
}

/** A whole Secret (e.g. a kubernetes.io/dockerconfigjson pull secret). */
export interface SecretRef {
  /** The Secret's name. */
  name: string;
  /** The Secret's namespace. Required in a ClusterImagePolicy; an ImagePolicy may only use its own namespace. */
  namespace?: string;
}

/** A key in a ConfigMap. */
export interface ConfigMapKeyRef {
  /** The ConfigMap's name. */
  name: string;
  /** The ConfigMap's namespace. Required in a ClusterImagePolicy; an ImagePolicy may only use its own namespace. */
  namespace?: string;
  /** The key in the ConfigMap's data. Default trusted_root.json. */
  key?: string;
}

/** Docker Content Trust (Notary v1) signatures. */
export interface NotaryV1Authority {
  /** The notary server URL, e.g. https://notary.example.com (https required except on loopback). */
  server: string;
  /**
   * Pinned root keys: PEM certificates or public keys, or the base64 of one (as in an IBM HPVS contract).
   * The repository's root.json must be signed by one. Never trusted on first use.
   */
  rootKeys: string[];
  /** Roles that must each have signed the digest, e.g. targets/releases. Empty: targets/releases, else targets. */
  delegations?: string[];
}

/** Notation trust stores (PEM certificates). At least one of `ca` or `signingAuthority` is needed. */
export interface NotationTrustStore {
  /** Anchors for the `notary.x509` signing scheme. */
  ca?: string[];
  /** Anchors for the `notary.x509.signingAuthority` signing scheme. */
  signingAuthority?: string[];
  /** Timestamp authority roots; when set, RFC 3161 countersignatures are verified. */
  tsa?: string[];
}

/** Notary Project (Notation) signatures, as a Notation trust policy with its trust store. */
export interface NotationAuthority {
  /** The certificates that anchor signatures. */
  trustStore: NotationTrustStore;
  /** `x509.subject: C=…, ST=…, O=…` entries, or `*` for any identity the trust store vouches for. */
  trustedIdentities: string[];
  /** strict (default), permissive or audit, as in Notation's trust policy; checks a level only logs become warnings. */
  verificationLevel?: NotationVerificationLevel;
  /** Default always: verify the timestamp even while the certificate is valid. */
  verifyTimestamp?: NotationVerifyTimestamp;
  /** Certificate revocation (CRL) checking. */
  revocation?: {
    /** What to do when no CRL can be fetched: deny (default, a failed revocation check) or warn (admit with a warning). */
    onUnreachable?: NotationRevocationUnreachable;
  };
}

/** A Vault master key that may sign. */
export interface OciVaultKey {
  /** The key's OCID. */
  keyId: string;
  /** The key in PEM (RSA of 2048 bits or more); pins it. Without it, the public key is fetched once through the KMS API. */
  publicKey?: string;
}

/** Exactly one of: an API-key Secret, instance principals, OKE workload identity, or an OCI config file. */
export interface OciVaultAuth {
  /** Keys `tenancy`, `user`, `fingerprint`, `privatekey` (PEM) and optional `passphrase`. */
  secretRef?: SecretRef;
  /** Authenticate as the node's OCI instance (instance principals). */
  instancePrincipal?: boolean;
  /** OKE workload identity (the pod's service account token). */
  workloadIdentity?: boolean;
  /** An OCI config file (outside a cluster); `profile` defaults to DEFAULT. */
  configFile?: string;
  /** The profile of configFile to use. Default DEFAULT. */
  profile?: string;
}

/** OCI Vault signatures on Oracle OCIR images (as OKE enforces them). */
export interface OciVaultAuthority {
  /** The region, e.g. ap-tokyo-1. Each signature's region (and an OCIR host's region) must equal it. */
  region: string;
  /** The OCID of the compartment whose image signatures are listed. */
  compartmentId: string;
  /** The Vault master keys that may sign. */
  keys: OciVaultKey[];
  /** How Portcullis authenticates to OCI. */
  auth?: OciVaultAuth;
  /** Artifacts API base URL (https), for sovereign realms; derived from region by default. */
  endpoint?: string;
  /** KMS management API base URL (https); derived by default. */
  keyManagementEndpoint?: string;
}

/** One trusted signer. Exactly one of cosign / notaryV1 / notation / ociVault / simpleSigning is set. */
export interface Authority {
  /** A name unique within the policy (letters, digits, -, _, .); denial messages name the authority by it. */
  name: string;
  /** Cosign (Sigstore) signatures, with a key or keyless. */
  cosign?: CosignAuthority;
  /** Docker Content Trust (Notary v1) signatures. */
  notaryV1?: NotaryV1Authority;
  /** Notary Project (Notation) signatures. */
  notation?: NotationAuthority;
  /** OCI Vault signatures (Oracle OCIR). */
  ociVault?: OciVaultAuthority;
  simpleSigning?: SimpleSigningAuthority;
}

/** Whether the portcullis.dev/break-glass annotation may admit images this policy rejects (every use is audited). */
export interface BreakGlassSpec {
  /** Whether the break-glass annotation may admit images this policy rejects. Default true (OKE behaviour). */
  allowed?: boolean;
  /** Require a portcullis.dev/break-glass-reason annotation (at most 256 characters). Default false. */
  requireReason?: boolean;
  /** When set, only users in one of these groups may break glass. */
  allowedGroups?: string[];
}

/** Pull credentials for the registries this policy's images live in. */
export interface RegistryCredentialRef {
  /** A kubernetes.io/dockerconfigjson Secret. */
  secretRef: SecretRef;
}

/** How Portcullis reaches the registries: extra credentials and what an unreachable registry means. */
export interface RegistrySpec {
  /** Pull secrets tried in addition to the pod's imagePullSecrets and its ServiceAccount's. */
  credentials?: RegistryCredentialRef[];
  /**
   * What an unreachable registry or signature store means. `deny` (default); `allow` admits unverified images
   * with a warning; `allowVerified` admits only a digest this replica verified within `maxStaleness`.
   */
  onError?: CrdOnError;
  /** With `onError: allowVerified`: how old a verification may be, e.g. `30m`, `24h`, `7d` (default 24h). */
  maxStaleness?: string;
}

/** The spec of an ImagePolicy (namespaced; applies only in its own namespace). */
export interface ImagePolicySpec {
  /**
   * What a failed verification does: enforce (default) denies the pod, warn admits it with a warning,
   * audit admits it silently and only records the decision (metrics, logs, Events).
   */
  mode?: CrdPolicyMode;
  /** The images this policy governs (1 to 64 globs); an image matching none is not governed by this policy. */
  images: ImageGlob[];
  /**
   * Images this policy does not govern although an images entry matches them (at most 64), e.g. a
   * repository, or one tag, that another policy decides alone.
   */
  excludeImages?: ImageGlob[];
  /** Deny image references without a digest (@sha256:…). Default false. */
  requireDigest?: boolean;
  /** How many authorities must verify the image. Default 1; at most the number of authorities. */
  threshold?: number;
  /** Who may sign (1 to 16): each authority has a unique name and exactly one of cosign, notaryV1, notation, ociVault, simpleSigning. */
  authorities: Authority[];
  /** Whether and by whom the break-glass annotation may be used. Default: allowed, no reason needed. */
  breakGlass?: BreakGlassSpec;
  /** Extra pull credentials and the behaviour when a registry cannot be reached. */
  registry?: RegistrySpec;
  /** Require or forbid encrypted layers (ocicrypt); unset: encryption is not judged. */
  encryption?: EncryptionSpec;
  /** RuntimeClass and node labels a pod running a governed image must request. */
  placement?: PlacementSpec;
}

/** The spec of a ClusterImagePolicy: an ImagePolicy spec plus a namespace selector. */
export interface ClusterImagePolicySpec extends ImagePolicySpec {
  /** Selects the namespaces this ClusterImagePolicy applies to. Absent or {} selects every namespace. */
  namespaceSelector?: LabelSelector;
}

/** A `metav1.Condition`. Portcullis sets `Ready`. */
export interface PolicyCondition {
  /** The condition type; Portcullis sets Ready. */
  type: string;
  /** True, False or Unknown. */
  status: 'True' | 'False' | 'Unknown';
  /** The metadata.generation the condition was computed from. */
  observedGeneration?: number;
  /** When status last changed (RFC 3339). */
  lastTransitionTime: string;
  /** A machine-readable reason: Compiled when ready, else the POLICY_* error code (see docs/errors.md). */
  reason: string;
  /** Why, for humans: every field error with its path when not ready. */
  message: string;
}

/** What `kubectl get` shows of a policy (the IMAGES and AUTHORITIES columns), shortened. */
export interface PolicySummary {
  /** The first image globs, with +N for the rest. */
  images: string;
  /** The first authorities as name(kind), with +N for the rest. */
  authorities: string;
}

/** Written by Portcullis: whether the policy compiled, and a summary for kubectl get. */
export interface PolicyStatus {
  /** The Ready condition: True when the policy compiled; when False, images it governs are denied until it is fixed. */
  conditions?: PolicyCondition[];
  /** The metadata.generation Portcullis last compiled. */
  observedGeneration?: number;
  /** The globs and authorities, shortened for the printer columns. */
  summary?: PolicySummary;
}

/** The metadata fields Portcullis reads; the rest of ObjectMeta is accepted and ignored. */
export interface PolicyMetadata {
  name: string;
  namespace?: string;
  generation?: number;
  [field: string]: unknown;
}

/**
 * Which signatures images must carry, in every namespace its namespaceSelector selects. An image governed by
 * several policies must satisfy each of them.
 */
export interface ClusterImagePolicyObject {
  /** The versioned schema of this object: portcullis.dev/v1alpha1. */
  apiVersion: typeof POLICY_API_VERSION;
  /** The object's kind: ClusterImagePolicy. */
  kind: 'ClusterImagePolicy';
  /** Standard object metadata; the name appears in every message as ClusterImagePolicy/NAME. */
  metadata: PolicyMetadata;
  /** Which images, which signers, and what a failure does. */
  spec: ClusterImagePolicySpec;
  /** Written by Portcullis: Ready, and the summary kubectl get shows. */
  status?: PolicyStatus;
}

/**
 * Which signatures images must carry in this namespace. An image governed by several policies (cluster-wide
 * or in its namespace) must satisfy each of them.
 */
export interface ImagePolicyObject {
  /** The versioned schema of this object: portcullis.dev/v1alpha1. */
  apiVersion: typeof POLICY_API_VERSION;
  /** The object's kind: ImagePolicy. */
  kind: 'ImagePolicy';
  /** Standard object metadata; the name appears in every message as ImagePolicy/NAMESPACE/NAME. */
  metadata: PolicyMetadata;
  /** Which images, which signers, and what a failure does. */
  spec: ImagePolicySpec;
  /** Written by Portcullis: Ready, and the summary kubectl get shows. */
  status?: PolicyStatus;
}

/** A validated policy object. */
export type PolicyObject = ClusterImagePolicyObject | ImagePolicyObject;
