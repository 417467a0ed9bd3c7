// Classifies errors thrown by undici and node:tls, once, where they enter our code.

/** How a failed exchange should be handled. */
export type NetFailure = 'timeout' | 'aborted' | 'certificate' | 'connection';

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
]);
const CERT_CODE =
  /^(CERT_|ERR_TLS_CERT|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

/** The `code` of an error or of its causes (undici wraps socket errors). */
export function errorCode(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur instanceof Error && depth < 5; cur = cur.cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
  }
  const top = (e as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** Sorts a thrown error: deadline/timeout, caller abort, certificate problem, or anything else on the wire. */
export function classifyNetError(
  e: unknown,
  deadlineSignal: AbortSignal,
  callerSignal?: AbortSignal,
): NetFailure {
  if (deadlineSignal.aborted) return 'timeout';
  if (callerSignal?.aborted) return 'aborted';
  const code = errorCode(e);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code !== undefined && CERT_CODE.test(code)) return 'certificate';
  return 'connection';
}
