import { PortcullisError } from '../errors';

/** Stable codes of the self-managed webhook TLS (CA and serving certificate rotation); see docs/errors.md. */
export const TLS_ERROR_CODES = [
  'TLS_SECRET_NOT_FOUND',
  'TLS_SECRET_INVALID',
  'TLS_SECRET_UPDATE_FAILED',
  'TLS_WEBHOOK_CONFIG_NOT_FOUND',
  'TLS_WEBHOOK_PATCH_FAILED',
  'TLS_ISSUE_FAILED',
  'TLS_FILE_WRITE_FAILED',
  'TLS_ROTATION_CONTENDED',
  'TLS_STEP_NO_EFFECT',
  'TLS_API_FAILED',
] as const;

export type TlsErrorCode = (typeof TLS_ERROR_CODES)[number];

/** A step of the self-managed TLS rotation failed. Never carries key material. */
export class TlsError extends PortcullisError<TlsErrorCode> {}
