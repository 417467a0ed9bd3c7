// Types of `portcullis policy from-notation`: a parsed Notation trust policy (version 1.0), the trust-store
// files the CLI read for it, and the conversion's result.
import type { NotationVerifyTimestamp, PolicyObject } from '../policy/crd/crd.types';

/** The trust-store types of Notation's `x509/<type>/<name>/` layout. */
export type NotationStoreType = 'ca' | 'signingAuthority' | 'tsa';

/** Notation's verification levels; `skip` has no Portcullis equivalent. */
export type NotationTrustPolicyLevel = 'strict' | 'permissive' | 'audit' | 'skip';

/** The checks a `signatureVerification.override` may change (`integrity` may not be overridden). */
export type NotationOverridableCheck = 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';

/** What a check does: `skip` is only allowed for `revocation`. */
export type NotationCheckAction = 'enforce' | 'log' | 'skip';

/** A `trustStores` entry, `<type>:<name>`. */
export interface NotationStoreRef {
  readonly type: NotationStoreType;
  readonly name: string;
}

/** One statement of `trustPolicies`, validated. */
export interface NotationTrustPolicyStatement {
  readonly name: string;
  /** Position in `trustPolicies`, for messages. */
  readonly index: number;
  /** Exact repository names, or `["*"]` (global scope). */
  readonly registryScopes: readonly string[];
  readonly level: NotationTrustPolicyLevel;
  readonly override: Readonly<Partial<Record<NotationOverridableCheck, NotationCheckAction>>>;
  readonly verifyTimestamp?: NotationVerifyTimestamp;
  readonly trustStores: readonly NotationStoreRef[];
  /** `*`, or `x509.subject: …` entries (already checked to parse). */
  readonly trustedIdentities: readonly string[];
}

/** A validated `trustpolicy.json`. */
export interface NotationTrustPolicyDocument {
  readonly statements: readonly NotationTrustPolicyStatement[];
}

/** One certificate file of a named store, as read from disk (PEM or DER). */
export interface NotationStoreFile {
  readonly name: string;
  readonly data: Uint8Array;
}

/** The files of `x509/<type>/<name>/`; `ignored` lists entries Notation ignores too (sub-folders, other files). */
export interface NotationNamedStore extends NotationStoreRef {
  readonly files: readonly NotationStoreFile[];
  readonly ignored?: readonly string[];
}

export interface NotationConversionOptions {
  /** Emit ClusterImagePolicies (all namespaces) instead of ImagePolicies. */
  readonly cluster?: boolean;
  /** metadata.namespace of the ImagePolicies; default `default`. */
  readonly namespace?: string;
}

/** Something the user should know about a converted policy (printed as a comment and on stderr). */
export interface NotationConversionNote {
  /** The Notation trust policy statement it concerns. */
  readonly statement: string;
  /** `warning`: Portcullis will decide differently from Notation for some images unless the user acts. */
  readonly severity: 'note' | 'warning';
  readonly message: string;
}

/** One converted policy and the trust policy statement it came from. */
export interface NotationConvertedPolicy {
  readonly statement: string;
  readonly object: PolicyObject;
}

/** The policies, in trust-policy order, and what to tell the user about them. */
export interface NotationConversion {
  readonly policies: readonly NotationConvertedPolicy[];
  readonly notes: readonly NotationConversionNote[];
}
