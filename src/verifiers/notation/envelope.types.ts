import type { SigningScheme } from './media-types';

/** The six signature algorithms of the Notary Project. */
export type NotationAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

/** Integrity-protected attributes of an envelope, after format-specific decoding and checks. */
export interface SignedAttributes {
  readonly alg: NotationAlgorithm;
  readonly signingScheme: SigningScheme;
  /** `io.cncf.notary.signingTime` (notary.x509): the signer's claim, not authentic. */
  readonly signingTime?: Date;
  /** `io.cncf.notary.authenticSigningTime` (notary.x509.signingAuthority). */
  readonly authenticSigningTime?: Date;
  readonly expiry?: Date;
}

/** A JWS or COSE envelope, parsed and shape-checked but not yet verified (all attacker-controlled). */
export interface ParsedEnvelope {
  readonly format: 'jws' | 'cose';
  readonly attributes: SignedAttributes;
  /**
   * The payload bytes (a Notary payload once verified). Undefined when a JWS payload is not base64url:
   * that is reported after the signature check, which covers the encoded text.
   */
  readonly payload: Buffer | undefined;
  /** The exact bytes the signature covers (JWS signing input, or the COSE Sig_structure). */
  readonly signedBytes: Buffer;
  /** The raw signature (r‖s for ECDSA). */
  readonly signature: Buffer;
  /** DER certificates, leaf first. */
  readonly certificates: readonly Buffer[];
  /** An RFC 3161 timestamp token (CMS SignedData) over `signature`, if any. */
  readonly timestampToken?: Buffer;
}

/** Why an envelope was refused; `check` is the Notation verification step that failed. */
export type NotationCheck = 'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation';
