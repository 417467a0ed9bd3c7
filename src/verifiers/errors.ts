import { PortcullisError } from '../errors';
import type { VerifyTarget } from './verifier.types';

export const VERIFY_ERROR_CODES = [
  'VERIFY_NO_SIGNATURES',
  'VERIFY_SIGNATURE_INVALID',
  'VERIFY_DIGEST_MISMATCH',
  'VERIFY_PAYLOAD_INVALID',
  'VERIFY_PREDICATE_MISMATCH',
  'VERIFY_TOO_MANY_SIGNATURES',
  'VERIFY_UNSUPPORTED',
  'VERIFY_TUF_METADATA_INVALID',
  'VERIFY_TUF_METADATA_MISSING',
  'VERIFY_TUF_ROOT_UNTRUSTED',
  'VERIFY_TUF_THRESHOLD',
  'VERIFY_TUF_EXPIRED',
  'VERIFY_TUF_HASH_MISMATCH',
  'VERIFY_TUF_VERSION_MISMATCH',
  'VERIFY_TAG_NOT_SIGNED',
  'VERIFY_DELEGATION_MISSING',
  'VERIFY_ENVELOPE_INVALID',
  'VERIFY_CERT_CHAIN_INVALID',
  'VERIFY_UNTRUSTED_SIGNER',
  'VERIFY_IDENTITY_MISMATCH',
  'VERIFY_SIGNATURE_EXPIRED',
  'VERIFY_TIMESTAMP_INVALID',
  'VERIFY_CERT_REVOKED',
  'VERIFY_REVOCATION_UNKNOWN',
  'VERIFY_KEY_NOT_TRUSTED',
  'VERIFY_BINDING_MISMATCH',
  'VERIFY_TLOG_INVALID',
  'VERIFY_ATTESTATION_MISSING',
  'VERIFY_CONDITION_FAILED',
] as const;
export type VerifyErrorCode = (typeof VERIFY_ERROR_CODES)[number];

/**
 * An authority was not satisfied. The message says why; `details` carry the image, digest and authority
 * (the denial message built by the decision names those once, for every authority).
 */
export class VerifyError extends PortcullisError<VerifyErrorCode> {}

/**
 * Builds a VerifyError whose details carry the image, digest and authority as separate fields for logs
 * and metrics.
 */
export function toVerifyError(
  code: VerifyErrorCode,
  target: VerifyTarget,
  authority: string,
  text: string,
  extra: Record<string, string | number | boolean | undefined> = {},
): VerifyError {
  return new VerifyError(code, text, {
    details: { image: target.ref.original, digest: target.digest, authority, ...extra },
  });
}

const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Throws VERIFY_UNSUPPORTED unless the target's digest is sha256, which every signature format here binds. */
export function requireSha256(target: VerifyTarget, authority: string, what: string): void {
  if (!SHA256_DIGEST.test(target.digest)) {
    throw toVerifyError('VERIFY_UNSUPPORTED', target, authority, `${what} need a sha256 digest`);
  }
}
