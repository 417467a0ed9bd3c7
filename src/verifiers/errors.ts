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
