import {
  MAX_ANNOTATION_VALUE_CHARS as MAX_AUDIT_ANNOTATION_VALUE_CHARS,
  MAX_WARNING_CHARS,
} from '../policy/decide/decide-format';
import type { Decision } from '../policy/decide/decision.types';
import type { AdmissionResponseBody, AdmissionReviewResponse, JsonPatchOp } from './admission-review.types';
import { ADMISSION_API_VERSION } from './decode';
import { toStatusForCode } from './errors';
import { charCount, toMultiLine, toSingleLine, truncateChars, truncateUtf8 } from './sanitise';

/** Largest denial message (UTF-8 bytes) put in `status.message`; kubectl prints it whole. */
export const MAX_MESSAGE_BYTES = 16 * 1024;
/** Total length of all warnings (code points); the API server truncates beyond 4096. */
export const MAX_WARNINGS_TOTAL_CHARS = 4096;
/** Longest audit-annotation key: one qualified-name segment (the API server prefixes the webhook name). */
export const MAX_AUDIT_ANNOTATION_KEY_CHARS = 63;
/** Most audit annotations per response. */
export const MAX_AUDIT_ANNOTATIONS = 32;
// The policy layer formats warnings and audit values within these limits; the response enforces them again.
export { MAX_AUDIT_ANNOTATION_VALUE_CHARS, MAX_WARNING_CHARS };

const MESSAGE_TRUNCATED_NOTE = `\n${'…'} (message cut at ${MAX_MESSAGE_BYTES} bytes; the Portcullis log has the full decision)`;
const AUDIT_KEY_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;
const DEFAULT_DENY_MESSAGE = 'denied by Portcullis; no reason was recorded (see the Portcullis log)';

/** Bounds and cleans a denial message: no control characters except newline and tab, at most MAX_MESSAGE_BYTES. */
export function toStatusMessage(message: string): string {
  return truncateUtf8(toMultiLine(message), MAX_MESSAGE_BYTES, MESSAGE_TRUNCATED_NOTE);
}

/**
 * Cleans warnings for the `Warning` header kubectl prints: single line, no control characters, each at most
 * MAX_WARNING_CHARS, duplicates and empties dropped, the total within MAX_WARNINGS_TOTAL_CHARS (a last
 * warning then says how many were left out).
 */
export function toWarnings(warnings: readonly string[]): string[] {
  const clean = [...new Set(warnings.map((w) => truncateChars(toSingleLine(w), MAX_WARNING_CHARS)))].filter(
    (w) => w !== '',
  );
  const total = clean.reduce((n, w) => n + charCount(w), 0);
  if (total <= MAX_WARNINGS_TOTAL_CHARS) return clean;
  const noteReserve = 80;
  const kept: string[] = [];
  let used = 0;
  for (const w of clean) {
    const size = charCount(w);
    if (used + size > MAX_WARNINGS_TOTAL_CHARS - noteReserve) break;
    kept.push(w);
    used += size;
  }
  kept.push(`${clean.length - kept.length} more warnings left out; the Portcullis log has them all`);
  return kept;
}

/** True for a key the API server accepts after prefixing `<webhook name>/`: a lower-case qualified-name segment. */
export function isAuditAnnotationKey(key: string): boolean {
  return key.length <= MAX_AUDIT_ANNOTATION_KEY_CHARS && AUDIT_KEY_PATTERN.test(key);
}

/** Turns any key into a valid audit-annotation key (lower case, `[a-z0-9._-]`, ≤ 63), or "" if nothing is left. */
export function toAuditAnnotationKey(key: string): string {
  const trimEnds = (s: string): string => s.replace(/^[^a-z0-9]+/, '').replace(/[^a-z0-9]+$/, '');
  const mapped = trimEnds(key.toLowerCase().replace(/[^a-z0-9._-]/g, '-'));
  return trimEnds(mapped.slice(0, MAX_AUDIT_ANNOTATION_KEY_CHARS));
}

/** Cleans audit annotations: valid keys (first wins when two clean to the same), bounded single-line values, at most MAX_AUDIT_ANNOTATIONS. */
export function toAuditAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const out = new Map<string, string>();
  for (const [rawKey, rawValue] of Object.entries(annotations)) {
    if (out.size >= MAX_AUDIT_ANNOTATIONS) break;
    const key = toAuditAnnotationKey(rawKey);
    if (key === '' || out.has(key) || typeof rawValue !== 'string') continue;
    out.set(key, truncateChars(toSingleLine(rawValue), MAX_AUDIT_ANNOTATION_VALUE_CHARS));
  }
  return Object.fromEntries(out);
}

// toDenyCode keeps a decision's status code only when it is a client or server error code.
function toDenyCode(code: number | undefined): number {
  return code !== undefined && Number.isInteger(code) && code >= 400 && code <= 599 ? code : 403;
}

// toReason names the metav1.StatusReason for the codes Portcullis uses.
function toReason(code: number): string | undefined {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    403: 'Forbidden',
    413: 'RequestEntityTooLarge',
    500: 'InternalError',
    504: 'Timeout',
  };
  return reasons[code];
}

// envelope wraps a response body in the AdmissionReview v1 envelope.
function envelope(response: AdmissionResponseBody): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

/**
 * The AdmissionReview v1 answer for a decision: `status` when denied, cleaned `warnings` and
 * `auditAnnotations`, and (only when allowed and non-empty) `patchType: JSONPatch` with the base64 patch.
 */
export function toAdmissionReview(
  uid: string,
  decision: Decision,
  patch?: readonly JsonPatchOp[],
): AdmissionReviewResponse {
  const warnings = toWarnings(decision.warnings);
  const auditAnnotations = toAuditAnnotations(decision.auditAnnotations);
  let response: AdmissionResponseBody = { uid, allowed: decision.allowed };
  if (!decision.allowed) {
    const code = toDenyCode(decision.code);
    const reason = toReason(code);
    const message = toStatusMessage(decision.message ?? DEFAULT_DENY_MESSAGE);
    response = { ...response, status: reason === undefined ? { code, message } : { code, message, reason } };
  }
  if (warnings.length > 0) response = { ...response, warnings };
  if (Object.keys(auditAnnotations).length > 0) response = { ...response, auditAnnotations };
  if (decision.allowed && patch !== undefined && patch.length > 0) {
    response = {
      ...response,
      patchType: 'JSONPatch',
      patch: Buffer.from(JSON.stringify(patch), 'utf8').toString('base64'),
    };
  }
  return envelope(response);
}

/**
 * A denying AdmissionReview for a request Portcullis could not judge (malformed input, too many
 * containers, deadline, internal failure). The message starts with `[CODE]` so users can look it up
 * in docs/errors.md.
 */
export function toErrorReview(uid: string, code: string, message: string): AdmissionReviewResponse {
  const status = toStatusForCode(code);
  return envelope({
    uid,
    allowed: false,
    status: { code: status.code, reason: status.reason, message: toStatusMessage(`[${code}] ${message}`) },
  });
}
