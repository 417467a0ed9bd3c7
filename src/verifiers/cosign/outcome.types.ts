import type { SignerIdentity } from '../../policy/decide/decision.types';
import type { Accepted, Rejected } from '../kit/outcome';
import type { SignerRefusal } from './sigstore-check';

/**
 * What examining one signature found. `where` names it for messages (`bundle sha256:ab12…`,
 * `sha256-<hex>.sig layer 2`).
 */
export type SignatureOutcome = SignatureAccepted | SignatureRejected;

export interface SignatureAccepted extends Accepted {
  readonly format: 'bundle' | 'legacy';
  /** Who signed, for messages: `key sha256:…` or `certificate subject "…", issuer "…"`. */
  readonly signer: string;
  /** The same signer, structured for the CLI's JSON report. */
  readonly identity: SignerIdentity;
}

/**
 * Why a signature did not count:
 * - `signature`: no authority key verifies it (another key, or altered bytes), or a key where a
 *   certificate was expected;
 * - `identity`: a valid certificate, but for a signer the policy does not name;
 * - `certificate`: the certificate does not chain to the TrustedRoot, or lacks its SCT;
 * - `tlog`: no transparency-log entry where one is required, or one that does not verify or bind;
 * - `timestamp`: no trusted time for a certificate, or a timestamp that does not verify;
 * - `digest`: verified, but signs another image digest;
 * - `predicate`: an attestation (another predicateType), not a signature;
 * - `reference`: verified, but under the authority's signedIdentity: a docker-reference it does not accept, or a
 *   cosign v3 bundle, which names no docker-reference;
 * - `payload`: malformed manifest, bundle or payload, or over a size limit.
 */
export interface SignatureRejected extends Rejected {
  readonly kind: SignerRefusal | 'digest' | 'predicate' | 'reference';
  /** True when the authority's signer verified the signature before the content check failed. */
  readonly keyVerified: boolean;
}
