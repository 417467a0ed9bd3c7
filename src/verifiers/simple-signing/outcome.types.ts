import type { Accepted, Rejected } from '../kit/outcome';

/** Why one lookaside signature was refused; ordered in report.ts by how much it tells the user. */
export type SimpleRejectionKind =
  'format' | 'too-large' | 'untrusted-key' | 'key-invalid' | 'signature' | 'payload' | 'digest' | 'identity';

/** A signature one of the policy's keys made, binding this digest, with an identity the policy accepts. */
export interface SimpleSignatureAccepted extends Accepted {
  readonly fingerprint: string;
  readonly dockerReference: string;
}

/** A signature that did not count, and which kind of refusal it was. */
export interface SimpleSignatureRejected extends Rejected {
  readonly kind: SimpleRejectionKind;
}

export type SimpleSignatureOutcome = SimpleSignatureAccepted | SimpleSignatureRejected;
