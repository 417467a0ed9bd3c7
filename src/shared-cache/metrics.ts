import { Counter, Histogram, Registry } from 'prom-client';

/**
 * The shared cache's Prometheus metrics, registered on the process's registry (docs/operations.md, "Metrics").
 * Every label takes a value from a fixed set named here, never from a key or a value.
 */
export class SharedCacheMetrics {
  readonly hits: Counter<'kind'>;
  readonly misses: Counter<'kind'>;
  /** `op`: get, set, lock, release; a call that fell back (timeout, error, disconnected, busy). */
  readonly fallbacks: Counter<'op'>;
  /** `reason`: oversize, garbage, forged (a bad MAC: forged or moved), expired. */
  readonly rejected: Counter<'kind' | 'reason'>;
  /** Negative results kept local because the per-minute cap was reached. */
  readonly negativeSkipped: Counter;
  /** `outcome`: shared (got the holder's result), takeover (the lock expired), timeout, fallback. */
  readonly lockWaits: Counter<'outcome'>;
  readonly lockWaitSeconds: Histogram;

  constructor(registry: Registry = new Registry()) {
    const registers = [registry];
    this.hits = new Counter({
      name: 'portcullis_shared_cache_hits_total',
      help: 'Shared cache (Valkey) reads that found a valid entry, by kind.',
      labelNames: ['kind'] as const,
      registers,
    });
    this.misses = new Counter({
      name: 'portcullis_shared_cache_misses_total',
      help: 'Shared cache (Valkey) reads that found no entry, by kind.',
      labelNames: ['kind'] as const,
      registers,
    });
    this.fallbacks = new Counter({
      name: 'portcullis_shared_cache_fallback_total',
      help: 'Shared cache operations that fell back (Valkey down, slow or failing), by operation.',
      labelNames: ['op'] as const,
      registers,
    });
    this.rejected = new Counter({
      name: 'portcullis_shared_cache_rejected_total',
      help: 'Shared cache entries refused on read (integrity check failed, expired, malformed), by kind and reason.',
      labelNames: ['kind', 'reason'] as const,
      registers,
    });
    this.negativeSkipped = new Counter({
      name: 'portcullis_shared_cache_negative_skipped_total',
      help: 'Negative results not written to the shared cache because the per-minute cap was reached.',
      registers,
    });
    this.lockWaits = new Counter({
      name: 'portcullis_shared_cache_lock_waits_total',
      help: 'Waits for another replica holding the single-flight lock, by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.lockWaitSeconds = new Histogram({
      name: 'portcullis_shared_cache_lock_wait_seconds',
      help: 'Time spent waiting for another replica holding the single-flight lock.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
  }
}
