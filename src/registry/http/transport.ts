// One HTTP exchange with a registry, done carefully: scheme choice, deadline, retries, redirects and size limits.
import { rootCertificates } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { request, type Agent, type Dispatcher } from 'undici';
import { registryApiHost } from '../../reference/format';
import {
  describeWhere,
  registryError,
  RegistryError,
  type RegistryErrorCode,
  type RegistryWhere,
} from '../errors';
import { checkEgressUrl, createEgressAgent, findEgressRefusal, type EgressOptions } from './egress';
import { InsecureRegistries } from '../hosts';
import { BodyTooLarge, declaredLength, discard, readLimited } from './body';
import { MAX_ERROR_BODY_BYTES, MAX_REDIRECTS } from '../limits';
import { classifyNetError } from './net-errors';
import { parseRetryAfter, RETRYABLE_STATUSES, retryDelay } from './retry';

/** How the transport is wired: everything that does I/O or reads the clock comes in here. */
export interface TransportOptions {
  /**
   * Used for every request when given (tests); otherwise the transport owns two keep-alive egress Agents.
   * Either way each URL passes the egress pre-check; the owned Agents also check every resolved address.
   */
  readonly dispatcher?: Dispatcher;
  /** How the egress Agents resolve names (tests inject a resolver); see egress.ts. */
  readonly egress?: EgressOptions;
  /** HOST[:PORT] allowed plain HTTP or unverified HTTPS (`--insecure-registry`). */
  readonly insecureRegistries: readonly string[];
  /** Extra PEM CA certificates trusted for registries, on top of the system roots (`--registry-ca`). */
  readonly registryCa?: string;
  readonly logger: Logger;
  /** Called once per HTTP exchange with the registry (normalised, e.g. docker.io) and an outcome label. */
  readonly onRequest?: (registry: string, outcome: string) => void;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly userAgent: string;
}

/** Where to send: a path on a registry's API host (the scheme is chosen here), or an absolute URL (a realm). */
export type RequestTarget = { readonly registry: string; readonly path: string } | { readonly url: URL };

export interface TransportRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  readonly target: RequestTarget;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Registry (normalised) and repository, for metrics and messages. */
  readonly where: RegistryWhere;
  /** What is fetched, for messages: `manifest latest`, `blob sha256:…`. */
  readonly what: string;
  readonly deadline: number;
  readonly signal?: AbortSignal;
  /** Largest 2xx body read; past it the request fails with `tooLargeCode`. */
  readonly maxBytes: number;
  readonly tooLargeCode: RegistryErrorCode;
  /** Hash the 2xx body while it streams in. */
  readonly hash?: 'sha256' | 'sha512';
}

export interface TransportResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  readonly url: URL;
  /** 2xx: the whole body (within maxBytes). Otherwise: at most MAX_ERROR_BODY_BYTES of it. HEAD: empty. */
  readonly bytes: Buffer;
  readonly digest?: string;
}

type Scheme = 'https:' | 'http:';
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Sends registry requests; owns the Agents, the per-host scheme memory and the retry policy. */
export class Transport {
  readonly insecure: InsecureRegistries;
  private readonly strict: Dispatcher;
  private readonly unverified: Dispatcher;
  private readonly owned: Agent[] = [];
  private readonly schemes = new Map<string, Scheme>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly opts: TransportOptions) {
    this.insecure = new InsecureRegistries(opts.insecureRegistries);
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    if (opts.dispatcher !== undefined) {
      this.strict = opts.dispatcher;
      this.unverified = opts.dispatcher;
    } else {
      const ca = opts.registryCa === undefined ? undefined : [...rootCertificates, opts.registryCa];
      const strict = createEgressAgent(ca === undefined ? {} : { ca }, opts.egress);
      const unverified = createEgressAgent({ rejectUnauthorized: false }, opts.egress);
      this.owned.push(strict, unverified);
      this.strict = strict;
      this.unverified = unverified;
    }
  }

  /** Closes the Agents this transport created (not a dispatcher that was passed in). */
  async close(): Promise<void> {
    await Promise.all(this.owned.map((a) => a.close()));
  }

  /**
   * Sends one request within `req.deadline`, retrying 429/502/503/504 and connection errors with backoff
   * (Retry-After honoured when it fits in the deadline), following up to MAX_REDIRECTS redirects.
   * Resolves with any final non-retryable status; throws RegistryError for timeouts, unreachable hosts,
   * exhausted retries, redirect problems and over-size bodies.
   */
  async request(req: TransportRequest): Promise<TransportResponse> {
    const remaining = req.deadline - this.now();
    if (remaining <= 0) throw this.timeout(req);
    const deadlineSignal = AbortSignal.timeout(remaining);
    const signal = req.signal ? AbortSignal.any([deadlineSignal, req.signal]) : deadlineSignal;
    for (let attempt = 0; ; attempt++) {
      let delay: number | undefined;
      let failure: RegistryError;
      try {
        const res = await this.followRedirects(req, signal);
        if (!RETRYABLE_STATUSES.has(res.status)) return res;
        const retryAfter = parseRetryAfter(res.headers['retry-after'], this.now());
        delay = retryDelay(attempt, retryAfter, this.now(), req.deadline, this.random);
        failure = this.statusFailure(req, res.status, attempt + 1);
      } catch (e) {
        if (e instanceof RegistryError) throw e;
        const kind = classifyNetError(e, deadlineSignal, req.signal);
        if (kind === 'timeout' || kind === 'aborted') throw this.timeout(req, e, kind === 'aborted');
        failure = this.unreachable(req, e, kind === 'certificate');
        if (kind !== 'certificate')
          delay = retryDelay(attempt, undefined, this.now(), req.deadline, this.random);
      }
      if (delay === undefined) throw failure;
      this.opts.logger.debug(
        {
          registry: req.where.registry,
          repository: req.where.repository,
          attempt: attempt + 1,
          delayMs: delay,
        },
        `registry request failed (${failure.code}); retrying`,
      );
      try {
        await sleep(delay, undefined, { signal });
      } catch (e) {
        throw this.timeout(req, e, req.signal?.aborted === true && !deadlineSignal.aborted);
      }
    }
  }

  // followRedirects walks the redirect chain by hand so that it can strip credentials and refuse downgrades.
  private async followRedirects(req: TransportRequest, signal: AbortSignal): Promise<TransportResponse> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers };
    let method = req.method;
    let body = req.body;
    let res = await this.firstHop(req, method, headers, body, signal);
    for (let hops = 0; REDIRECTS.has(res.status); hops++) {
      const location = res.headers.location;
      if (typeof location !== 'string') return res;
      if (hops >= MAX_REDIRECTS) {
        throw registryError(
          'REGISTRY_TOO_MANY_REDIRECTS',
          req.where,
          `${describeWhere(req.where)}: more than ${MAX_REDIRECTS} redirects for ${req.what}; the registry or its storage is misconfigured`,
        );
      }
      const next = this.redirectTarget(req, res.url, location);
      if (next.origin !== res.url.origin) delete headers.authorization;
      if (res.status === 303 && method === 'POST') {
        method = 'GET';
        body = undefined;
      }
      res = await this.exchange(req, method, next, headers, body, signal);
    }
    return res;
  }

  // redirectTarget resolves a Location (attacker-controlled) and refuses odd schemes and https→http downgrades.
  private redirectTarget(req: TransportRequest, from: URL, location: string): URL {
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw registryError(
        'REGISTRY_BAD_RESPONSE',
        req.where,
        `${describeWhere(req.where)}: redirect to an invalid URL for ${req.what}`,
      );
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw registryError(
        'REGISTRY_REDIRECT_REFUSED',
        req.where,
        `${describeWhere(req.where)}: refused a redirect to a ${next.protocol} URL for ${req.what}`,
      );
    }
    if (from.protocol === 'https:' && next.protocol === 'http:') {
      throw registryError(
        'REGISTRY_REDIRECT_REFUSED',
        req.where,
        `${describeWhere(req.where)}: refused a redirect from https to plain http (${next.host}) for ${req.what}`,
        { details: { redirectHost: next.host } },
      );
    }
    return next;
  }

  // firstHop picks the scheme: https, except that insecure hosts fall back to http when https does not connect.
  private async firstHop(
    req: TransportRequest,
    method: string,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<TransportResponse> {
    if ('url' in req.target) return this.exchange(req, method, req.target.url, headers, body, signal);
    const host = registryApiHost(req.target.registry);
    const path = req.target.path;
    const url = (scheme: Scheme): URL => new URL(`${scheme}//${host}${path}`);
    const known = this.schemes.get(host);
    if (known !== undefined || !this.insecure.has(host)) {
      return this.exchange(req, method, url(known ?? 'https:'), headers, body, signal);
    }
    try {
      const res = await this.exchange(req, method, url('https:'), headers, body, signal, true);
      this.schemes.set(host, 'https:');
      return res;
    } catch (e) {
      if (e instanceof RegistryError || classifyNetError(e, signal) !== 'connection') throw e;
      this.opts.logger.debug(
        { registry: req.where.registry },
        'https failed on an insecure registry; trying http',
      );
    }
    const res = await this.exchange(req, method, url('http:'), headers, body, signal);
    this.schemes.set(host, 'http:');
    return res;
  }

  // exchange sends one HTTP request (to an address the egress rule allows) and reads its body under the
  // limits; it reports the outcome for metrics.
  private async exchange(
    req: TransportRequest,
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
    probe = false,
  ): Promise<TransportResponse> {
    const remaining = Math.max(1, req.deadline - this.now());
    const dispatcher =
      url.protocol === 'https:' && this.insecure.isConfigured(url.host) ? this.unverified : this.strict;
    let res: Dispatcher.ResponseData;
    try {
      checkEgressUrl(url);
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        ...(body === undefined ? {} : { body }),
        dispatcher,
        signal,
        headersTimeout: remaining,
        bodyTimeout: remaining,
      });
    } catch (e) {
      const refusal = findEgressRefusal(e);
      if (refusal !== undefined) {
        this.report(req, 'refused');
        throw this.egressRefused(req, refusal);
      }
      // A failed HTTPS probe of an insecure registry is scheme discovery, not an outcome worth counting.
      if (!probe) this.report(req, signal.aborted ? 'timeout' : 'error');
      throw e;
    }
    this.report(req, `${Math.floor(res.statusCode / 100)}xx`);
    const base = { status: res.statusCode, headers: res.headers, url };
    if (method === 'HEAD') {
      await discard(res.body, 0);
      return { ...base, bytes: Buffer.alloc(0) };
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      const read = await readLimited(res.body, MAX_ERROR_BODY_BYTES, { truncate: true }).catch(() => ({
        bytes: Buffer.alloc(0),
      }));
      return { ...base, bytes: read.bytes };
    }
    try {
      const contentLength = declaredLength(res.headers['content-length']);
      const read = await readLimited(res.body, req.maxBytes, {
        ...(contentLength === undefined ? {} : { contentLength }),
        ...(req.hash === undefined ? {} : { hash: req.hash }),
      });
      return { ...base, bytes: read.bytes, ...(read.digest === undefined ? {} : { digest: read.digest }) };
    } catch (e) {
      if (!(e instanceof BodyTooLarge)) throw e;
      const declared = e.declared === undefined ? '' : ` (it declared ${e.declared} bytes)`;
      throw registryError(
        req.tooLargeCode,
        req.where,
        `${describeWhere(req.where)}: ${req.what} is larger than the limit of ${e.limit} bytes${declared}; refusing to read it`,
        { details: { limit: e.limit } },
      );
    }
  }

  // report feeds the metrics hook; it never throws into the request path.
  private report(req: TransportRequest, outcome: string): void {
    try {
      this.opts.onRequest?.(req.where.registry, outcome);
    } catch {
      // a metrics failure must not fail a pull
    }
  }

  // timeout builds the deadline error; `cancelled` when the caller aborted rather than the clock.
  private timeout(req: TransportRequest, cause?: unknown, cancelled = false): RegistryError {
    const why = cancelled ? 'the request was cancelled' : 'no answer before the request deadline';
    return registryError(
      'REGISTRY_TIMEOUT',
      req.where,
      `${describeWhere(req.where)}: ${why} while fetching ${req.what}; the registry is slow or unreachable`,
      { cause },
    );
  }

  // egressRefused names the request a refused connection belonged to (a registry, realm or redirect hop).
  private egressRefused(req: TransportRequest, refusal: RegistryError): RegistryError {
    return registryError(
      'REGISTRY_EGRESS_REFUSED',
      req.where,
      `${describeWhere(req.where)}: while fetching ${req.what}, ${refusal.message}`,
      { cause: refusal, details: { host: refusal.details.host, address: refusal.details.address } },
    );
  }

  // unreachable builds the connection error, with a TLS hint when the certificate was the problem.
  private unreachable(req: TransportRequest, cause: unknown, certificate: boolean): RegistryError {
    const hint = certificate
      ? 'its TLS certificate is not trusted: pass --registry-ca with its CA, or --insecure-registry for a test registry'
      : 'check the registry host, network and proxy settings';
    return registryError(
      'REGISTRY_UNREACHABLE',
      req.where,
      `${describeWhere(req.where)}: cannot connect while fetching ${req.what}: ${hint}`,
      { cause },
    );
  }

  // statusFailure is the error for a retryable status once retries run out or would overrun the deadline.
  private statusFailure(req: TransportRequest, status: number, attempts: number): RegistryError {
    const code: RegistryErrorCode = status === 429 ? 'REGISTRY_RATE_LIMITED' : 'REGISTRY_UNREACHABLE';
    const hint =
      status === 429
        ? 'the registry is rate-limiting; add pull credentials or retry later'
        : 'the registry is failing; retry later';
    return registryError(
      code,
      req.where,
      `${describeWhere(req.where)}: answered HTTP ${status} for ${req.what} (${attempts} attempt(s)); ${hint}`,
      { details: { status } },
    );
  }
}
