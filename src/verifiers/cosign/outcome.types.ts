import type { Accepted, Rejected } from '../kit/outcome';

/**
 * What examining one signature found. `where` names it for messages (`bundle sha256:ab12…`,
 * `sha256-<hex>.sig layer 2`).
 */
export type SignatureOutcome = SignatureAccepted | SignatureRejected;

export interface SignatureAccepted extends Accepted {
  readonly format: 'bundle' | 'legacy';
  /** `id` of the authority key that verified it. */
  readonly keyId: string;
}

/**
 * Why a signature did not count:
 * - `signature`: no authority key verifies it (another key, or altered bytes);
 * - `digest`: verified, but signs another image digest;
 * - `predicate`: an attestation (another predicateType), not a signature;
 * - `payload`: malformed manifest, bundle or payload, or over a size limit.
 */
export interface SignatureRejected extends Rejected {
  readonly kind: 'signature' | 'digest' | 'predicate' | 'payload';
  /** True when an authority key verified the signature before the content check failed. */
  readonly keyVerified: boolean;
}
