import { rootCertificates } from 'node:tls';
import type * as common from 'oci-common';
import { fetch, type Dispatcher } from 'undici';
import {
  checkEgressUrl,
  createEgressAgent,
  findEgressRefusal,
  type EgressOptions,
} from '../../registry/http/egress';
import {
  MAX_OCI_ATTEMPTS,
  MAX_OCI_RESPONSE_BYTES,
  MIN_OCI_ATTEMPT_MS,
  OCI_RETRY_BASE_DELAY_MS,
} from './limits';

/** Codes of the transport failures the SDK's retrier hands back to us (it keeps only `code` and `message`). */
export const OCI_TRANSPORT_CODES = {
  deadline: 'PORTCULLIS_OCI_DEADLINE',
  unreachable: 'PORTCULLIS_OCI_UNREACHABLE',
  tooLarge: 'PORTCULLIS_OCI_RESPONSE_TOO_LARGE',
  egress: 'PORTCULLIS_OCI_EGRESS_REFUSED',
} as const;

/** One API call's bounds: the admission deadline and the request's abort signal. */
export interface OciCallBounds {
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly now: () => number;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

// transportError carries a code and the SDK retrier's `shouldBeRetried` flag.
function transportError(code: string, message: string, retry: boolean, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code, shouldBeRetried: retry });
}

/**
 * The dispatcher for the OCI APIs: an egress Agent (every connection checked by the egress rule, after DNS)
 * trusting the system roots plus `ca` (`--registry-ca`, for sovereign realms and the test stand-in).
 */
export function createOciDispatcher(ca?: string, egress?: EgressOptions): Dispatcher {
  return createEgressAgent(ca === undefined ? {} : { ca: [...rootCertificates, ca] }, egress);
}

/**
 * The SDK's `httpClient` seam: requests are signed by the SDK's own `DefaultRequestSigner` (OCI HTTP signature),
 * then sent with undici through our dispatcher (see createOciDispatcher), bounded by the admission deadline,
 * never following redirects, refused before sending when the egress rule forbids the URL's host, and with the
 * response body size-limited before the SDK parses it.
 */
export class OciHttpClient implements common.HttpClient {
  constructor(
    private readonly signer: common.RequestSigner,
    private readonly bounds: OciCallBounds,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** Signs and sends one request; throws coded errors the retrier understands. */
  async send(req: common.HttpRequest, forceExcludeBody = false): Promise<Response> {
    try {
      checkEgressUrl(new URL(req.uri));
    } catch (error) {
      throw egressFailure(error);
    }
    await this.signer.signHttpRequest(
      { method: req.method, headers: req.headers, uri: req.uri, body: req.body as unknown },
      forceExcludeBody,
    );
    const remaining = this.bounds.deadline - this.bounds.now();
    if (remaining < MIN_OCI_ATTEMPT_MS)
      throw transportError(OCI_TRANSPORT_CODES.deadline, 'the admission deadline ran out', false);
    const timeout = AbortSignal.timeout(remaining);
    const signal = this.bounds.signal ? AbortSignal.any([timeout, this.bounds.signal]) : timeout;
    let res: Awaited<ReturnType<typeof fetch>>;
    try {
      res = await fetch(req.uri, {
        method: req.method,
        headers: Object.fromEntries(req.headers.entries()),
        redirect: 'manual',
        signal,
        dispatcher: this.dispatcher,
      });
    } catch (error) {
      if (findEgressRefusal(error) !== undefined) throw egressFailure(error);
      if (signal.aborted)
        throw transportError(OCI_TRANSPORT_CODES.deadline, 'no answer before the admission deadline', false);
      throw transportError(OCI_TRANSPORT_CODES.unreachable, describeNetworkError(error), true, error);
    }
    const body = await readLimited(res, signal);
    return new Response(NULL_BODY_STATUSES.has(res.status) ? null : body, {
      status: res.status,
      statusText: res.statusText,
      headers: Object.fromEntries(res.headers.entries()),
    });
  }
}

// egressFailure hands an egress refusal to the SDK's retrier as a coded, never-retried error (it keeps only
// `code` and `message`, which api-errors.ts maps back to REGISTRY_EGRESS_REFUSED).
function egressFailure(error: unknown): Error {
  const refusal = findEgressRefusal(error);
  if (refusal === undefined) return error instanceof Error ? error : new Error(String(error));
  return transportError(OCI_TRANSPORT_CODES.egress, refusal.message, false, refusal);
}

// readLimited reads a response body (attacker-controlled size) up to MAX_OCI_RESPONSE_BYTES.
async function readLimited(res: Awaited<ReturnType<typeof fetch>>, signal: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > MAX_OCI_RESPONSE_BYTES) {
        await res.body?.cancel();
        throw transportError(
          OCI_TRANSPORT_CODES.tooLarge,
          `the response is larger than ${MAX_OCI_RESPONSE_BYTES} bytes`,
          false,
        );
      }
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (error) {
    if ((error as { code?: unknown }).code === OCI_TRANSPORT_CODES.tooLarge) throw error;
    if (signal.aborted)
      throw transportError(
        OCI_TRANSPORT_CODES.deadline,
        'the response did not finish before the deadline',
        false,
      );
    throw transportError(OCI_TRANSPORT_CODES.unreachable, describeNetworkError(error), true, error);
  }
  return Buffer.concat(chunks);
}

// describeNetworkError names the network failure (with its cause's code) without echoing request headers.
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  const text = typeof cause?.message === 'string' ? cause.message : String(error);
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)
    ? ' (its TLS certificate is not trusted: pass --registry-ca with its CA)'
    : '';
  return `connection failed: ${code ? `${code} ` : ''}${text}${tls}`;
}

/**
 * The SDK retry configuration for one call: retries 429, 5xx and connection errors, at most
 * MAX_OCI_ATTEMPTS attempts, with exponential backoff that never sleeps past the admission deadline.
 */
export function toRetryConfiguration(bounds: OciCallBounds): common.RetryConfiguration {
  const left = (): number => bounds.deadline - bounds.now();
  return {
    terminationStrategy: {
      shouldTerminate: (context) =>
        context.attemptCount + 1 >= MAX_OCI_ATTEMPTS || left() < 2 * MIN_OCI_ATTEMPT_MS,
    },
    delayStrategy: {
      delay: (context) =>
        Math.max(
          0,
          Math.min(OCI_RETRY_BASE_DELAY_MS * 2 ** context.attemptCount, left() - MIN_OCI_ATTEMPT_MS),
        ) / 1000,
    },
    retryCondition: (error) => error.statusCode === 429 || error.statusCode >= 500,
  };
}
