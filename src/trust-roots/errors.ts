import { PortcullisError } from '../errors';

/**
 * Why a refresh of the public-good TrustedRoot failed. None of them changes a decision: the last good root
 * stays in force. Each one is documented in docs/errors.md under "Trusted root errors".
 */
export const TRUST_ROOT_ERROR_CODES = [
  'TRUST_ROOT_MIRROR_UNREACHABLE',
  'TRUST_ROOT_REFRESH_TIMEOUT',
  'TRUST_ROOT_TUF_REJECTED',
  'TRUST_ROOT_INVALID',
  'TRUST_ROOT_CACHE_FAILED',
] as const;

export type TrustRootErrorCode = (typeof TRUST_ROOT_ERROR_CODES)[number];

/** A failed TrustedRoot refresh; the message is one line naming the mirror and the reason. */
export class TrustRootError extends PortcullisError<TrustRootErrorCode> {}
