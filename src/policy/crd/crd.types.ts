/**
 * The policy CRDs (`portcullis.dev/v1alpha1`) as users write them (docs/policy.md#fields).
 * The CRD OpenAPI schema is generated from these types through src/policy/crd/schema.ts,
 * whose builder makes `tsc` fail when a field here has no schema (ADR 0002).
 * Optional fields are what users may omit; defaults are applied by the API server (schema defaults)
 * and again by the compiler.
 */

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
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  /** Required and non-empty for In / NotIn; must be empty for Exists / DoesNotExist. */
  values?: string[];
}

/** An anchored glob on the normalised image name, e.g. `registry.example.com/team/**`. */
export interface ImageGlob {
  glob: string;
}

/** A key in a Secret. For an ImagePolicy the namespace defaults to (and must equal) the policy's own. */
export interface SecretKeyRef {
  name: string;
  namespace?: string;
  key: string;
}

/** A whole Secret (e.g. a kubernetes.io/dockerconfigjson pull secret). */
export interface SecretRef {
  name: string;
  namespace?: string;
}

export interface ConfigMapKeyRef {
  name: string;
  namespace?: string;
  key?: string;
}

/** Exactly one of `data` (PEM, one or several public keys) or `secretRef`. */
export interface CosignKey {
  data?: string;
  secretRef?: SecretKeyRef;
}

/** Fulcio certificate extensions a keyless identity may match (see docs/cosign.md#identities). */
export interface FulcioExtensions {
  /** e.g. `https://github.com/acme/app` */
  sourceRepositoryURI?: string;
  /** e.g. `refs/tags/v1.2.0` */
  sourceRepositoryRef?: string;
  /** The commit the build ran on. */
  sourceRepositoryDigest?: string;
  /** The workflow file and ref, e.g. `https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0` */
  buildConfigURI?: string;
  /** e.g. `push`, `workflow_dispatch` */
  buildTrigger?: string;
  /** The reusable workflow (or the workflow itself) that signed. */
  buildSignerURI?: string;
  buildSignerDigest?: string;
  /** `github-hosted` or `self-hosted` */
  runnerEnvironment?: string;
}

/**
 * One accepted signer. Each of issuer and subject is required, exact or as a regular expression
 * (anchored automatically: the whole value must match). `extensions` must match exactly,
 * `extensionsRegExp` as anchored regular expressions.
 */
export interface KeylessIdentity {
  issuer?: string;
  subject?: string;
  issuerRegExp?: string;
  subjectRegExp?: string;
  extensions?: FulcioExtensions;
  extensionsRegExp?: FulcioExtensions;
}

export interface CosignKeyless {
  identities: KeylessIdentity[];
  /** A sigstore TrustedRoot (JSON); default: the public-good Sigstore root. */
  trustedRoot?: { configMapRef?: ConfigMapKeyRef; data?: string };
}

/** Transparency-log rules. Default: required for keyless, not for keys. */
export interface CosignTlog {
  required?: boolean;
  /** PEM public keys of the Rekor logs to trust instead of the TrustedRoot's. */
  rekorKeys?: string[];
}

export interface CosignAttestation {
  name: string;
  predicateType: string;
  /** CEL expressions over the predicate. */
  conditions?: string[];
}

export interface CosignAuthority {
  key?: CosignKey;
  keyless?: CosignKeyless;
  tlog?: CosignTlog;
  attestations?: CosignAttestation[];
}

export interface NotaryV1Authority {
  server: string;
  /** PEM certificates or public keys, or the base64 of one (as in an IBM HPVS contract). */
  rootKeys: string[];
  /** Roles that must have signed the digest, e.g. `targets/releases`. */
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

export interface NotationAuthority {
  trustStore: NotationTrustStore;
  /** `x509.subject: C=…, ST=…, O=…` entries, or `*` for any identity the trust store vouches for. */
  trustedIdentities: string[];
  verificationLevel?: NotationVerificationLevel;
  /** Default always: verify the timestamp even while the certificate is valid. */
  verifyTimestamp?: NotationVerifyTimestamp;
  /** What to do when no CRL can be fetched. Default deny (a failed revocation check). */
  revocation?: { onUnreachable?: NotationRevocationUnreachable };
}

export interface OciVaultKey {
  keyId: string;
  publicKey?: string;
}

/** Exactly one of: an API-key Secret, instance principals, OKE workload identity, or an OCI config file. */
export interface OciVaultAuth {
  /** Keys `tenancy`, `user`, `fingerprint`, `privatekey` (PEM) and optional `passphrase`. */
  secretRef?: SecretRef;
  instancePrincipal?: boolean;
  /** OKE workload identity (the pod's service account token). */
  workloadIdentity?: boolean;
  /** An OCI config file (outside a cluster); `profile` defaults to DEFAULT. */
  configFile?: string;
  profile?: string;
}

export interface OciVaultAuthority {
  region: string;
  compartmentId: string;
  keys: OciVaultKey[];
  auth?: OciVaultAuth;
  endpoint?: string;
  keyManagementEndpoint?: string;
}

/** One trusted signer. Exactly one of cosign / notaryV1 / notation / ociVault is set. */
export interface Authority {
  name: string;
  cosign?: CosignAuthority;
  notaryV1?: NotaryV1Authority;
  notation?: NotationAuthority;
  ociVault?: OciVaultAuthority;
}

export interface BreakGlassSpec {
  /** Default true (OKE behaviour). */
  allowed?: boolean;
  /** Default false. */
  requireReason?: boolean;
  /** When set, only users in one of these groups may break glass. */
  allowedGroups?: string[];
}

export interface RegistryCredentialRef {
  secretRef: SecretRef;
}

export interface RegistrySpec {
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
  /** Default enforce. */
  mode?: CrdPolicyMode;
  images: ImageGlob[];
  /** Default false. */
  requireDigest?: boolean;
  /** Default 1. */
  threshold?: number;
  authorities: Authority[];
  breakGlass?: BreakGlassSpec;
  registry?: RegistrySpec;
}

/** The spec of a ClusterImagePolicy: an ImagePolicy spec plus a namespace selector. */
export interface ClusterImagePolicySpec extends ImagePolicySpec {
  namespaceSelector?: LabelSelector;
}

/** A `metav1.Condition`. Portcullis sets `Ready`. */
export interface PolicyCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface PolicyStatus {
  conditions?: PolicyCondition[];
  observedGeneration?: number;
}

/** The metadata fields Portcullis reads; the rest of ObjectMeta is accepted and ignored. */
export interface PolicyMetadata {
  name: string;
  namespace?: string;
  generation?: number;
  [field: string]: unknown;
}

export interface ClusterImagePolicyObject {
  apiVersion: typeof POLICY_API_VERSION;
  kind: 'ClusterImagePolicy';
  metadata: PolicyMetadata;
  spec: ClusterImagePolicySpec;
  status?: PolicyStatus;
}

export interface ImagePolicyObject {
  apiVersion: typeof POLICY_API_VERSION;
  kind: 'ImagePolicy';
  metadata: PolicyMetadata;
  spec: ImagePolicySpec;
  status?: PolicyStatus;
}

/** A validated policy object. */
export type PolicyObject = ClusterImagePolicyObject | ImagePolicyObject;
