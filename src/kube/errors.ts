import { PortcullisError } from '../errors';

/** Stable codes for talking to the Kubernetes API (cluster mode); each is documented in docs/errors.md. */
export const KUBE_ERROR_CODES = [
  'KUBE_SYNC_FAILED',
  'KUBE_NOT_SYNCED',
  'KUBE_SECRET_READ_FAILED',
  'KUBE_CONFIGMAP_READ_FAILED',
  'KUBE_STATUS_WRITE_FAILED',
  'KUBE_EVENT_FAILED',
  'KUBE_TIMEOUT',
] as const;

export type KubeErrorCode = (typeof KUBE_ERROR_CODES)[number];

/** Longest API-server Status message quoted in our errors. */
const MAX_STATUS_MESSAGE_CHARS = 300;

/** An API-server call that failed. `details.status` is the HTTP status when there was one; never secret data. */
export class KubeError extends PortcullisError<KubeErrorCode> {}

/** The HTTP status of a failed client-node call (ApiException, watch errors), if it has one. */
export function apiStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  return typeof e.statusCode === 'number' ? e.statusCode : undefined;
}

/** True when the API server said the object does not exist. */
export function isNotFound(error: unknown): boolean {
  return apiStatusOf(error) === 404;
}

// statusMessage reads the `message` of a Kubernetes Status body, whether client-node parsed it or not.
function statusMessage(body: unknown): string | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const message = (value as { message?: unknown }).message;
  return typeof message === 'string' ? message.slice(0, MAX_STATUS_MESSAGE_CHARS) : undefined;
}

/**
 * One safe line about a failed API call: `HTTP 403: secrets "x" is forbidden: …`. client-node's own
 * message embeds response headers and the body; we keep the status and the Status message only.
 */
export function describeApiError(error: unknown): string {
  if (error instanceof KubeError) return error.message;
  const status = apiStatusOf(error);
  if (status !== undefined) {
    const message = statusMessage((error as { body?: unknown }).body);
    return `HTTP ${status}${message ? `: ${message}` : ''}`;
  }
  // Not `instanceof Error`: errors from another realm (vm contexts, workers) must read the same.
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : error;
  if (typeof message !== 'string') return 'unknown error';
  // undici says only "fetch failed"; the reason (ECONNREFUSED, a TLS error) is in its cause.
  const cause =
    typeof error === 'object' && error !== null ? (error as { cause?: unknown }).cause : undefined;
  const why = message === 'fetch failed' && cause !== undefined ? `: ${describeApiError(cause)}` : '';
  return `${message.split('\n')[0] ?? ''}${why}`.slice(0, 300);
}

/** Wraps a failed API call once, where it enters our code; the message says what we were doing. */
export function toKubeError(code: KubeErrorCode, what: string, error: unknown): KubeError {
  const status = apiStatusOf(error);
  return new KubeError(code, `${what}: ${describeApiError(error)}`, {
    cause: error,
    details: { ...(status !== undefined ? { status } : {}) },
  });
}

/** Rejects with KUBE_TIMEOUT when `work` takes longer than `ms` (the call itself is left to finish). */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new KubeError('KUBE_TIMEOUT', `${what}: no answer from the API server within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
