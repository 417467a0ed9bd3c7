import { initTUF } from '@sigstore/tuf';
import type { Logger } from 'pino';
import { parseTrustedRoot } from '../policy/authorities/trusted-root';
import type { CompiledTrustedRoot } from '../policy/compile/compiled.types';
import type { Metrics } from '../observability/metrics';
import { embeddedPublicGoodRoot } from '../verifiers/cosign/public-good';
import { TrustRootError, type TrustRootErrorCode } from './errors';
import { toTrustRootError } from './tuf-errors';
import {
  TUF_FETCH_RETRIES,
  TUF_FETCH_TIMEOUT_MS,
  TUF_REFRESH_TIMEOUT_MS,
  TUF_RETRY_AFTER_FAILURE_MS,
} from './limits';

/** The TUF target that holds the sigstore TrustedRoot. */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/** Where and how often the public-good root is refreshed (`--tuf-mirror`, `--tuf-cache-dir`, …). */
export interface TufMirror {
  /** Base URL of the TUF repository, without a trailing slash. */
  readonly url: string;
  /**
   * Folder of the TUF client's cache: verified metadata and targets, kept across refreshes. Without it,
   * @sigstore/tuf's per-user default (under the home folder), never a shared one where others could plant a root.
   */
  readonly cacheDir?: string;
  /**
   * The TUF root.json to start from, for a mirror whose root @sigstore/tuf does not ship (it ships the
   * public-good one). Used only to seed an empty cache: TUF then follows root rotations from the cache.
   */
  readonly rootPath?: string;
  readonly refreshIntervalMs: number;
}

/** Fetches the trusted_root.json target through TUF (every metadata file verified) and resolves its text. */
export type FetchTrustedRoot = (mirror: TufMirror) => Promise<string>;

export interface PublicGoodRootOptions {
  /** Without it there is no network access at all: the embedded root stays in force. */
  readonly mirror?: TufMirror;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** The root in force until a refresh succeeds; the embedded public-good root by default. */
  readonly initial?: CompiledTrustedRoot;
  /** Defaults to TUF_REFRESH_TIMEOUT_MS; tests shorten it. */
  readonly refreshTimeoutMs?: number;
  /** Defaults to @sigstore/tuf; tests may hand in a stand-in. */
  readonly fetchTrustedRoot?: FetchTrustedRoot;
}

/** What one refresh did. A failure never replaces the root in force. */
export type RefreshResult =
  | { readonly outcome: 'updated' | 'unchanged'; readonly root: CompiledTrustedRoot }
  | { readonly outcome: 'failed'; readonly error: TrustRootError }
  | { readonly outcome: 'stopped' | 'disabled' };

// fetchWithSigstoreTuf runs the TUF client workflow: root rotations, timestamp, snapshot, targets, then the
// target itself (from the cache when its hashes still match). tuf-js fetches with Node's fetch (undici),
// each request bounded by TUF_FETCH_TIMEOUT_MS through an AbortSignal.
const fetchWithSigstoreTuf: FetchTrustedRoot = async (mirror) => {
  const tuf = await initTUF({
    mirrorURL: mirror.url,
    ...(mirror.cacheDir === undefined ? {} : { cachePath: mirror.cacheDir }),
    ...(mirror.rootPath === undefined ? {} : { rootPath: mirror.rootPath }),
    timeout: TUF_FETCH_TIMEOUT_MS,
    retry: { retries: TUF_FETCH_RETRIES },
    forceCache: false,
  });
  return tuf.getTarget(TRUSTED_ROOT_TARGET);
};

/**
 * The public-good Sigstore TrustedRoot in force: the one shipped in the package, replaced by what the TUF
 * mirror serves when a refresh verifies and parses. A refresh that fails in any way (network, TUF
 * verification, a root that does not parse, a timeout) keeps the last good root, logs why and counts it:
 * it never leaves verification without a root, and never trusts unverified material.
 */
export class PublicGoodRoot {
  private root: CompiledTrustedRoot;
  private readonly fetchTrustedRoot: FetchTrustedRoot;
  private inflight: Promise<string> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private abort = new AbortController();
  private running = false;

  constructor(private readonly options: PublicGoodRootOptions) {
    this.root = options.initial ?? embeddedPublicGoodRoot();
    this.fetchTrustedRoot = options.fetchTrustedRoot ?? fetchWithSigstoreTuf;
  }

  /** The root to verify with now (synchronous: verification never waits on the network). */
  current(): CompiledTrustedRoot {
    return this.root;
  }

  /** Refreshes now, then every `refreshIntervalMs` (sooner after a failure). Without a mirror, nothing. */
  start(): void {
    if (this.options.mirror === undefined || this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(0);
  }

  /** Stops the timer; a refresh under way is abandoned (its result is dropped). */
  stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.abort.abort();
    return Promise.resolve();
  }

  /** One refresh; never rejects. The root changes only on `updated`. */
  async refresh(): Promise<RefreshResult> {
    const mirror = this.options.mirror;
    if (mirror === undefined) return { outcome: 'disabled' };
    const signal = this.abort.signal;
    let text: string;
    try {
      text = await this.fetchBounded(mirror, signal);
    } catch (error) {
      if (signal.aborted) return { outcome: 'stopped' };
      return this.failed(error instanceof TrustRootError ? error : toTrustRootError(error, mirror.url));
    }
    if (signal.aborted) return { outcome: 'stopped' };
    const parsed = parseTrustedRoot(text, `public-good (TUF ${mirror.url})`);
    if (typeof parsed === 'string') {
      return this.failed(
        new TrustRootError(
          'TRUST_ROOT_INVALID',
          `TUF mirror ${mirror.url}: ${TRUSTED_ROOT_TARGET} passed TUF verification but is not a usable trusted root: ${parsed}`,
          { details: { mirror: mirror.url } },
        ),
      );
    }
    this.options.metrics?.trustedRootLastSuccess.setToCurrentTime();
    if (parsed.id === this.root.id) {
      this.count('unchanged');
      return { outcome: 'unchanged', root: this.root };
    }
    this.options.logger.info(
      { mirror: mirror.url, previous: this.root.id, root: parsed.id },
      'public-good trusted root updated through TUF',
    );
    this.root = parsed;
    this.count('updated');
    return { outcome: 'updated', root: parsed };
  }

  // fetchBounded shares one TUF run between overlapping refreshes (two clients must not write one cache)
  // and stops waiting at the refresh timeout or on stop().
  private fetchBounded(mirror: TufMirror, signal: AbortSignal): Promise<string> {
    const run = (this.inflight ??= this.fetchTrustedRoot(mirror).finally(() => {
      this.inflight = undefined;
    }));
    const timeoutMs = this.options.refreshTimeoutMs ?? TUF_REFRESH_TIMEOUT_MS;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new TrustRootError(
            'TRUST_ROOT_REFRESH_TIMEOUT',
            `TUF mirror ${mirror.url}: no verified ${TRUSTED_ROOT_TARGET} within ${timeoutMs} ms`,
            { details: { mirror: mirror.url } },
          ),
        );
      }, timeoutMs);
      const onAbort = (): void => reject(new Error('stopped'));
      signal.addEventListener('abort', onAbort, { once: true });
      void run.then(resolve, reject).finally(() => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      });
    });
  }

  // failed logs and counts a refresh that keeps the last good root.
  private failed(error: TrustRootError): RefreshResult {
    this.options.logger.warn(
      { code: error.code, reason: error.message, root: this.root.id, source: this.root.source },
      'public-good trusted root refresh failed; keeping the last good root',
    );
    this.count(error.code);
    return { outcome: 'failed', error };
  }

  // count bumps the refresh counter; failure codes become short, bounded label values.
  private count(result: 'updated' | 'unchanged' | TrustRootErrorCode): void {
    const label = result.replace(/^TRUST_ROOT_/, '').toLowerCase();
    this.options.metrics?.trustedRootRefreshes.inc({ result: label });
  }

  // schedule runs the next refresh after `delayMs`, then plans the one after it.
  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.refresh().then((result) => {
        if (!this.running) return;
        const interval = this.options.mirror?.refreshIntervalMs ?? TUF_RETRY_AFTER_FAILURE_MS;
        this.schedule(
          result.outcome === 'failed' ? Math.min(interval, TUF_RETRY_AFTER_FAILURE_MS) : interval,
        );
      });
    }, delayMs);
    this.timer.unref();
  }
}
