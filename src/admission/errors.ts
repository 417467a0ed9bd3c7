import { PortcullisError } from '../errors';

/** Every code the admission layer raises; each is documented in docs/errors.md under "Admission errors". */
export const ADMISSION_ERROR_CODES = [
  'ADMISSION_MALFORMED',
  'ADMISSION_MISSING_UID',
  'ADMISSION_BODY_TOO_LARGE',
  'ADMISSION_TOO_MANY_CONTAINERS',
  'ADMISSION_UNSUPPORTED_VERSION',
  'ADMISSION_DEADLINE_EXCEEDED',
  'ADMISSION_NOT_PINNED',
] as const;

export type AdmissionErrorCode = (typeof ADMISSION_ERROR_CODES)[number];

/** An AdmissionReview (or manifest) that Portcullis refuses to judge; `details.field` names the culprit. */
export class AdmissionError extends PortcullisError<AdmissionErrorCode> {}

// isAdmissionError narrows a caught value where the server maps codes to HTTP or AdmissionReview answers.
export function isAdmissionError(e: unknown): e is AdmissionError {
  return e instanceof AdmissionError;
}

/** The HTTP-style status code (and Kubernetes `reason`) an AdmissionResponse carries for each error code. */
export function toStatusForCode(code: string): { readonly code: number; readonly reason: string } {
  switch (code) {
    case 'ADMISSION_MALFORMED':
    case 'ADMISSION_MISSING_UID':
    case 'ADMISSION_UNSUPPORTED_VERSION':
      return { code: 400, reason: 'BadRequest' };
    case 'ADMISSION_BODY_TOO_LARGE':
      return { code: 413, reason: 'RequestEntityTooLarge' };
    case 'ADMISSION_DEADLINE_EXCEEDED':
      return { code: 504, reason: 'Timeout' };
    case 'ADMISSION_TOO_MANY_CONTAINERS':
    case 'ADMISSION_NOT_PINNED':
      return { code: 403, reason: 'Forbidden' };
    default:
      // Codes of other domains reach here only through deny-on-error: an internal failure, not a verdict.
      return { code: 500, reason: 'InternalError' };
  }
}
