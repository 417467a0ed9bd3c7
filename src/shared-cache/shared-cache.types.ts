import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** What the shared cache holds: verification verdicts, tag→digest resolutions, and failed verifications. */
export type SharedCacheKind = 'verdict' | 'resolution' | 'negative';
/** The kinds a single-flight run may produce: a verification's outcome, or a tag's resolution. */
export type SharedResultKind = 'verdict' | 'negative' | 'resolution';

/** How to reach Valkey and how to protect what is stored there. */
export interface SharedCacheOptions {
  /** `redis://host[:port][/db]` or `rediss://…` (TLS). A username may be in the URL, a password never. */
  readonly url: string;
  /** ACL user; overrides the URL's. */
  readonly username?: string;
  /** Valkey password (AUTH); a secret, never logged. */
  readonly password?: string;
  /** Extra CA certificates (PEM) to trust for `rediss://`. */
  readonly ca?: string;
  /** Key of the HMAC-SHA256 over every entry; at least MIN_SHARED_CACHE_HMAC_KEY_BYTES. A secret. */
  readonly hmacKey: Buffer;
  /** First part of every key name, e.g. `portcullis`; sets deployments sharing one Valkey apart. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** The process's prom-client registry; the shared-cache metrics are registered on it. */
  readonly metrics?: Registry;
  /** Clock (epoch ms); tests move it. */
  readonly now?: () => number;
}

/** Bounds of one call: it returns (undefined, or nothing done) by the earlier of these. */
export interface CallBounds {
  /** Epoch ms by which the caller must have its answer. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

/** What a single-flight run hands back: the value to share, its kind, and how long it stays valid. */
export interface SingleFlightRun {
  readonly value: string;
  readonly kind: SharedResultKind;
  readonly ttlMs: number;
}

/**
 * The outcome of singleFlight: the value and its kind, and where it came from: `ran` (this process held the
 * lock and ran it), `shared` (another process's stored result), or `local` (Valkey down or too slow, or the
 * wait reached its margin: this process ran it without the lock).
 */
export interface SingleFlightResult {
  readonly value: string;
  readonly kind: SharedResultKind;
  readonly source: 'ran' | 'shared' | 'local';
}

/** The shared verification cache. No method throws for a Valkey problem: it falls back instead. */
export interface SharedCache {
  /** The stored value, or undefined: missing, rejected (integrity), Valkey down or too slow. */
  get(kind: SharedCacheKind, key: string, bounds?: CallBounds): Promise<string | undefined>;
  /** Stores the value for ttlMs (capped; shorter for `negative`); does nothing if Valkey is down or slow. */
  set(kind: SharedCacheKind, key: string, value: string, ttlMs: number, bounds?: CallBounds): Promise<void>;
  /**
   * Runs `run` once cluster-wide for `key`: one process holds the lock and runs it; the others wait for its
   * stored result (under kind `verdict`, `negative` or `resolution`, same key) until `deadline` minus a margin, then run it
   * themselves. Valkey down: runs at once. Rejects only with run's own error, or with an AbortError when
   * `signal` aborts while waiting.
   */
  singleFlight(
    key: string,
    deadline: number,
    run: () => Promise<SingleFlightRun>,
    signal?: AbortSignal,
  ): Promise<SingleFlightResult>;
  /** Whether the connection is up now (for readiness details; the cache works either way). */
  connected(): boolean;
  /** Closes the connection; later calls fall back. */
  close(): Promise<void>;
}
