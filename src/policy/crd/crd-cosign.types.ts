// The CRD types of the cosign authority (docs/cosign.md), re-exported by crd.types.ts. Their doc comments become
// the CRD's field descriptions (tools/crd-descriptions.ts, ADR 0002).
import type { SecretKeyRef, ConfigMapKeyRef } from './crd.types';
import type { SignedIdentity } from './simple-signing.types';

/** A cosign public key: exactly one of `data` (PEM, one or several public keys) or `secretRef`. */
export interface CosignKey {
  /**
   * One or several concatenated PEM public keys (cosign.pub); a signature by any of them counts (key rotation).
   * ECDSA P-256/P-384/P-521, RSA of 2048 bits or more, or Ed25519. Never a private key.
   */
  data?: string;
  /** A Secret key that holds the same PEM text as data. */
  secretRef?: SecretKeyRef;
}

/** Fulcio certificate extensions a keyless identity may match (see docs/cosign.md#identities). */
export interface FulcioExtensions {
  /** The source repository, e.g. https://github.com/acme/app */
  sourceRepositoryURI?: string;
  /** The git ref the build ran on, e.g. refs/tags/v1.2.0 */
  sourceRepositoryRef?: string;
  /** The commit the build ran on. */
  sourceRepositoryDigest?: string;
  /** The workflow file and ref, e.g. `https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.0` */
  buildConfigURI?: string;
  /** The event that started the build, e.g. push or workflow_dispatch. */
  buildTrigger?: string;
  /** The reusable workflow (or the workflow itself) that signed. */
  buildSignerURI?: string;
  /** The commit of the workflow that signed. */
  buildSignerDigest?: string;
  /** Where the build ran: github-hosted or self-hosted. */
  runnerEnvironment?: string;
}

/**
 * One accepted signer. Each of issuer and subject is required, exact or as a regular expression
 * (anchored automatically: the whole value must match). `extensions` must match exactly,
 * `extensionsRegExp` as anchored regular expressions.
 */
export interface KeylessIdentity {
  /** The OIDC issuer, exactly, e.g. https://token.actions.githubusercontent.com. Set this or issuerRegExp. */
  issuer?: string;
  /** The certificate's subject (an email or a URI), exactly. Set this or subjectRegExp. */
  subject?: string;
  /** A regular expression the whole OIDC issuer must match. */
  issuerRegExp?: string;
  /** A regular expression the whole subject must match, e.g. https://github.com/acme/.+@refs/tags/v.+ */
  subjectRegExp?: string;
  /** Fulcio certificate extensions that must match exactly. */
  extensions?: FulcioExtensions;
  /** Fulcio certificate extensions that must match these anchored regular expressions. */
  extensionsRegExp?: FulcioExtensions;
}

/** Keyless signing: Fulcio certificates issued to one of the identities, logged in Rekor. */
export interface CosignKeyless {
  /** The accepted signers; a signature by any of them counts. */
  identities: KeylessIdentity[];
  /**
   * A sigstore TrustedRoot (JSON) with the Fulcio CAs, Rekor and timestamp keys to trust, for a private
   * Sigstore. Exactly one of configMapRef or data. Default: the public-good Sigstore root.
   */
  trustedRoot?: {
    /** A ConfigMap key holding the TrustedRoot JSON (key default trusted_root.json). */
    configMapRef?: ConfigMapKeyRef;
    /** The TrustedRoot JSON inline. */
    data?: string;
  };
}

/** Transparency-log rules. Default: required for keyless, not for keys. */
export interface CosignTlog {
  /** Demand a verified Rekor entry for each signature. Default true for keyless, false for keys. */
  required?: boolean;
  /** PEM public keys of the Rekor logs to trust instead of the TrustedRoot's. */
  rekorKeys?: string[];
}

/** A signed in-toto attestation the image must carry, with conditions on its predicate. */
export interface CosignAttestation {
  /** A name for messages, unique within the authority. */
  name: string;
  /** The predicate type, e.g. https://slsa.dev/provenance/v1 or https://cosign.sigstore.dev/attestation/vuln/v1. */
  predicateType: string;
  /** CEL expressions over the predicate (as `predicate`); each must be true. */
  conditions?: string[];
}

/** Cosign signatures: exactly one of key or keyless. */
export interface CosignAuthority {
  /** Signatures made with one of these public keys. */
  key?: CosignKey;
  /** Signatures made with Fulcio certificates of these identities. */
  keyless?: CosignKeyless;
  /** Transparency-log (Rekor) rules. */
  tlog?: CosignTlog;
  /**
   * Signed attestations the digest must carry (verified with the same key or identities); when set, the
   * authority is satisfied by attestations only.
   */
  attestations?: CosignAttestation[];
  /**
   * containers-policy.json(5) `signedIdentity`: when set, only legacy `.sig` signatures count, and only if their
   * payload's `critical.identity.docker-reference` matches the image by this rule. cosign v3 bundles carry no
   * docker-reference and do not count. Cannot be combined with attestations. Unset: the reference is not compared.
   */
  signedIdentity?: SignedIdentity;
}
