// Downloads CRLs for the Notation revocation check: one GET per URL, through the egress guard, bounded in time
// and size, with typed errors. The URL comes from a certificate, which is attacker-controlled until its chain
// verifies (it has by the time this runs; the URL may still point anywhere).
import { rootCertificates } from 'node:tls';
import { request, type Dispatcher } from 'undici';
import {
  checkEgressUrl,
  createEgressAgent,
  findEgressRefusal,
  type EgressOptions,
} from '../../registry/http/egress';
import { registryError, RegistryError, type RegistryErrorCode } from '../../registry/errors';
import { BodyTooLarge, declaredLength, discard, readLimited } from '../../registry/http/body';
import { classifyNetError } from '../../registry/http/net-errors';
import { CRL_FETCH_TIMEOUT_MS, MAX_CRL_BYTES } from './limits';
import type { CrlFetcher } from './revocation';

/** How the CRL fetcher is wired: the clock, the trusted CAs and the network come in here. */
export interface CrlFetcherOptions {
  /** Extra PEM CA certificates trusted on top of the system roots (`--registry-ca`). */
  readonly registryCa?: string;
  readonly now?: () => number;
  /** Used instead of the fetcher's own egress Agent (tests); every URL still passes the egress pre-check. */
  readonly dispatcher?: Dispatcher;
  /** How the egress Agent resolves names (tests inject a resolver). */
  readonly egress?: EgressOptions;
}

/** A CrlFetcher that owns a connection pool. */
export interface ClosableCrlFetcher extends CrlFetcher {
  /** Closes the Agent the fetcher created (not a dispatcher passed in). */
  close(): Promise<void>;
}

/**
 * Builds the fetcher of CRLs over HTTP(S): no credentials, no redirects (a 3xx is an error), at most
 * MAX_CRL_BYTES, within CRL_FETCH_TIMEOUT_MS or the request deadline, whichever comes first, and stopped by the
 * caller's signal. Failures are RegistryErrors: REGISTRY_EGRESS_REFUSED, REGISTRY_TIMEOUT, REGISTRY_UNREACHABLE,
 * REGISTRY_NOT_FOUND, REGISTRY_BAD_RESPONSE or REGISTRY_BLOB_TOO_LARGE, each naming the CRL URL.
 */
export function createCrlFetcher(options: CrlFetcherOptions = {}): ClosableCrlFetcher {
  const now = options.now ?? Date.now;
  const ca = options.registryCa === undefined ? undefined : [...rootCertificates, options.registryCa];
  const dispatcher: Dispatcher =
    options.dispatcher ?? createEgressAgent(ca === undefined ? {} : { ca }, options.egress);
  return {
    async fetch(url: string, deadline: number, signal?: AbortSignal): Promise<Buffer> {
      const target = parseCrlUrl(url);
      const budget = Math.min(CRL_FETCH_TIMEOUT_MS, deadline - now());
      if (budget <= 0) throw crlError('REGISTRY_TIMEOUT', target, 'no time left before the request deadline');
      const timer = AbortSignal.timeout(budget);
      const both = signal === undefined ? timer : AbortSignal.any([timer, signal]);
      try {
        checkEgressUrl(target);
        const res = await request(target, {
          method: 'GET',
          dispatcher,
          signal: both,
          headersTimeout: budget,
          bodyTimeout: budget,
        });
        return await readCrl(target, res);
      } catch (error) {
        throw toCrlError(target, error, timer, signal);
      }
    },
    close: () => (options.dispatcher === undefined ? dispatcher.close() : Promise.resolve()),
  };
}

// parseCrlUrl accepts only absolute http(s) URLs.
function parseCrlUrl(url: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed?.protocol === 'http:' || parsed?.protocol === 'https:') return parsed;
  throw registryError(
    'REGISTRY_BAD_RESPONSE',
    { registry: parsed?.host ?? 'unknown' },
    `CRL ${url}: not an http(s) URL`,
  );
}

// readCrl maps the status and reads the body under MAX_CRL_BYTES.
async function readCrl(url: URL, res: Dispatcher.ResponseData): Promise<Buffer> {
  if (res.statusCode !== 200) {
    await discard(res.body, 0);
    const code: RegistryErrorCode =
      res.statusCode === 404
        ? 'REGISTRY_NOT_FOUND'
        : res.statusCode >= 500
          ? 'REGISTRY_UNREACHABLE'
          : 'REGISTRY_BAD_RESPONSE';
    const redirect = res.statusCode >= 300 && res.statusCode < 400 ? ' (CRL redirects are not followed)' : '';
    throw crlError(code, url, `answered HTTP ${res.statusCode}${redirect}`);
  }
  const contentLength = declaredLength(res.headers['content-length']);
  try {
    return (await readLimited(res.body, MAX_CRL_BYTES, contentLength === undefined ? {} : { contentLength }))
      .bytes;
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    throw crlError('REGISTRY_BLOB_TOO_LARGE', url, `larger than ${MAX_CRL_BYTES} bytes; refusing to read it`);
  }
}

// toCrlError wraps whatever the request failed with, once, where it enters our code.
function toCrlError(url: URL, error: unknown, timer: AbortSignal, signal?: AbortSignal): RegistryError {
  const refusal = findEgressRefusal(error);
  if (refusal !== undefined)
    return crlError('REGISTRY_EGRESS_REFUSED', url, refusal.message, refusal, {
      host: refusal.details.host,
      address: refusal.details.address,
    });
  if (error instanceof RegistryError) return error;
  switch (classifyNetError(error, timer, signal)) {
    case 'timeout':
      return crlError('REGISTRY_TIMEOUT', url, 'no answer within the time left', error);
    case 'aborted':
      return crlError('REGISTRY_TIMEOUT', url, 'the request was cancelled', error);
    case 'certificate':
      return crlError(
        'REGISTRY_UNREACHABLE',
        url,
        'its TLS certificate is not trusted: pass --registry-ca with its CA',
        error,
      );
    case 'connection':
      return crlError(
        'REGISTRY_UNREACHABLE',
        url,
        'cannot connect; check the network path to the CRL distribution point',
        error,
      );
  }
}

// crlError builds a RegistryError naming the CRL URL (its host goes into details, as a registry's would).
function crlError(
  code: RegistryErrorCode,
  url: URL,
  text: string,
  cause?: unknown,
  details: Record<string, string | number | boolean | undefined> = {},
): RegistryError {
  return registryError(code, { registry: url.host }, `CRL ${url.href}: ${text}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { crl: url.href, ...details },
  });
}
