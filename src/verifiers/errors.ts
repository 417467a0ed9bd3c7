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

/** An authority was not satisfied. The message names the image, its digest and the authority. */
export class VerifyError extends PortcullisError<VerifyErrorCode> {}

// describeTarget gives every verify message the same opening: the image as written, its digest, the authority.
export function describeTarget(target: VerifyTarget, authority: string): string {
  return `image "${target.ref.original}" (${target.digest}), authority "${authority}"`;
}

/**
 * Builds a VerifyError whose message starts with the image, digest and authority, and whose details
 * carry them as separate fields for logs and metrics.
 */
export function toVerifyError(
  code: VerifyErrorCode,
  target: VerifyTarget,
  authority: string,
  text: string,
  extra: Record<string, string | number | boolean | undefined> = {},
): VerifyError {
  return new VerifyError(code, `${describeTarget(target, authority)}: ${text}`, {
    details: { image: target.ref.original, digest: target.digest, authority, ...extra },
  });
}
