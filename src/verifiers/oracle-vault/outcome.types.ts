import type { Accepted, Rejected } from '../kit/outcome';
import type { OciSigningAlgorithm } from './message';

/** Why one signature was refused; ordered in report.ts by how much it tells the user. */
export type OciRejectionKind = 'untrusted-key' | 'payload' | 'signature' | 'digest' | 'binding';

/** A signature that verified with one of the policy's keys and binds this image, repository and region. */
export interface OciSignatureAccepted extends Accepted {
  readonly keyId: string;
  readonly keyVersionId: string;
  readonly algorithm: OciSigningAlgorithm;
}

/** A signature that did not count, and which kind of refusal it was. */
export interface OciSignatureRejected extends Rejected {
  readonly kind: OciRejectionKind;
}

export type OciSignatureOutcome = OciSignatureAccepted | OciSignatureRejected;
