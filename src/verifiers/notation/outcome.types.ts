import type { SignerIdentity } from '../../policy/decide/decision.types';
import type { VerifyErrorCode } from '../errors';
import type { Accepted, Rejected } from '../kit/outcome';
import type { ParsedCertificate } from './certificate';
import type { NotationCheck } from './envelope.types';

/** A signature that satisfied the authority (possibly with logged failures, as warnings). */
export interface EnvelopeAccepted extends Accepted {
  /** e.g. `JWS PS256 by "C=US, ST=WA, O=Example, CN=release"`. */
  readonly summary: string;
  readonly warnings: readonly string[];
  /** The signing certificate (leaf), for the CLI's JSON report. */
  readonly signer: SignerIdentity;
}

/** A signature that did not; `check` is the Notation step (or `format`) that refused it. */
export interface EnvelopeRejected extends Rejected {
  readonly check: NotationCheck | 'format';
  readonly code: VerifyErrorCode;
}

export type EnvelopeOutcome = EnvelopeAccepted | EnvelopeRejected;

/** Revocation status of a signing or timestamping chain. */
export type RevocationStatus =
  | { readonly status: 'good' }
  | { readonly status: 'revoked'; readonly reason: string }
  | { readonly status: 'unknown'; readonly reason: string };

/** Checks a chain (leaf first, ending at its root) against CRLs. Passed in, so tests need no network. */
export interface RevocationChecker {
  check(
    chain: readonly ParsedCertificate[],
    now: Date,
    deadline: number,
    signal?: AbortSignal,
  ): Promise<RevocationStatus>;
}
