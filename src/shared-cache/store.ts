// get and set of integrity-protected entries: sealed on write, verified on read, every command guarded.
import type { Logger } from 'pino';
import { openEntry, sealEntry } from './envelope';
import { FELL_BACK, type FellBack, type Guard } from './guard';
import { entryKey } from './keys';
import {
  MAX_SHARED_CACHE_TTL_MS,
  MAX_SHARED_NEGATIVE_TTL_MS,
  SHARED_CACHE_REJECT_LOG_INTERVAL_MS,
} from './limits';
import { LogEvery } from './log-every';
import type { SharedCacheMetrics } from './metrics';
import type { NegativeBudget } from './negative-budget';
import type { CallBounds, SharedCacheKind } from './shared-cache.types';

/** The few client commands the store uses (iovalkey's signatures). */
export interface StoreCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, px: 'PX', ttlMs: number): Promise<unknown>;
}

export interface StoreDeps {
  readonly client: StoreCommands;
  readonly guard: Guard;
  readonly hmacKey: Buffer;
  readonly prefix: string;
  readonly negatives: NegativeBudget;
  readonly metrics: SharedCacheMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}

export class Store {
  private readonly rejectLogs: LogEvery;

  constructor(private readonly deps: StoreDeps) {
    this.rejectLogs = new LogEvery(SHARED_CACHE_REJECT_LOG_INTERVAL_MS, deps.now);
  }

  // get reads and verifies one entry, counting hits and misses.
  async get(kind: SharedCacheKind, key: string, bounds: CallBounds = {}): Promise<string | undefined> {
    const found = await this.read(kind, key, bounds);
    if (found === FELL_BACK) return undefined;
    (found === undefined ? this.deps.metrics.misses : this.deps.metrics.hits).inc({ kind });
    return found;
  }

  /**
   * read is get without the hit/miss count (single-flight waiters poll with it): the verified value,
   * undefined when there is none (or it was rejected), FELL_BACK when Valkey did not answer.
   */
  async read(kind: SharedCacheKind, key: string, bounds: CallBounds): Promise<string | undefined | FellBack> {
    const name = entryKey(this.deps.prefix, kind, key);
    const raw = await this.deps.guard.run('get', bounds, () => this.deps.client.get(name));
    if (raw === FELL_BACK) return FELL_BACK;
    // Valkey's reply is attacker-controlled: a string from GET, anything else from a tampered server.
    if (raw === null) return undefined;
    if (typeof raw !== 'string') return this.reject(kind, name, 'garbage');
    const opened = openEntry(this.deps.hmacKey, kind, key, raw, this.deps.now());
    return opened.ok ? opened.value : this.reject(kind, name, opened.reason);
  }

  // set seals and writes one entry; nothing when the TTL is empty, the negative cap is reached, or Valkey fails.
  async set(
    kind: SharedCacheKind,
    key: string,
    value: string,
    ttlMs: number,
    bounds: CallBounds = {},
  ): Promise<void> {
    const ttl = Math.floor(
      Math.min(ttlMs, MAX_SHARED_CACHE_TTL_MS, kind === 'negative' ? MAX_SHARED_NEGATIVE_TTL_MS : Infinity),
    );
    if (!(ttl > 0)) return;
    if (kind === 'negative' && !this.deps.negatives.take()) {
      this.deps.metrics.negativeSkipped.inc();
      return;
    }
    const expiresAt = this.deps.now() + ttl;
    const sealed = sealEntry(this.deps.hmacKey, kind, key, value, expiresAt);
    const name = entryKey(this.deps.prefix, kind, key);
    await this.deps.guard.run('set', bounds, () => this.deps.client.set(name, sealed, 'PX', ttl));
  }

  // reject counts and logs (rate-limited, without the value) an entry that failed its checks.
  private reject(kind: SharedCacheKind, name: string, reason: string): undefined {
    this.deps.metrics.rejected.inc({ kind, reason });
    if (this.rejectLogs.due(reason)) {
      this.deps.logger.warn(
        { kind, valkeyKey: name, reason },
        'shared cache entry rejected (integrity check failed, expired or malformed): ignored',
      );
    }
    return undefined;
  }
}
