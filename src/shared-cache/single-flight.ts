// The cluster-wide single-flight: one replica verifies a key while the others wait for its stored result.
// The lock is `SET NX PX` with a random token, released by a compare-and-delete script, and expires by itself
// if its holder dies. Waiters poll for the result (and for a free lock, to take over) and never wait past their
// deadline minus SHARED_LOCK_WAIT_MARGIN_MS; Valkey down or slow means running locally at once.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FELL_BACK, type FellBack, type Guard } from './guard';
import { lockKey } from './keys';
import {
  MAX_SHARED_LOCK_TTL_MS,
  MIN_SHARED_LOCK_TTL_MS,
  SHARED_LOCK_POLL_INTERVAL_MS,
  SHARED_LOCK_WAIT_MARGIN_MS,
} from './limits';
import type { SharedCacheMetrics } from './metrics';
import type { Store } from './store';
import type { CallBounds, SharedResultKind, SingleFlightResult, SingleFlightRun } from './shared-cache.types';

/** Where a waiter looks for the holder's result, in this order. */
const RESULT_KINDS: readonly SharedResultKind[] = ['verdict', 'negative', 'resolution'];

/** Deletes the lock only if it still holds our token (it may have expired and been taken by another). */
const RELEASE_SCRIPT =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** The lock commands (iovalkey's signatures). */
export interface LockCommands {
  set(key: string, value: string, px: 'PX', ttlMs: number, nx: 'NX'): Promise<'OK' | null>;
  eval(script: string, keys: number, key: string, token: string): Promise<unknown>;
}

export interface SingleFlightDeps {
  readonly client: LockCommands;
  readonly guard: Guard;
  readonly store: Store;
  readonly prefix: string;
  readonly metrics: SharedCacheMetrics;
  readonly now: () => number;
}

export class SingleFlight {
  constructor(private readonly deps: SingleFlightDeps) {}

  // run executes `run` once cluster-wide for `key` (see SharedCache.singleFlight).
  async run(
    key: string,
    deadline: number,
    run: () => Promise<SingleFlightRun>,
    signal?: AbortSignal,
  ): Promise<SingleFlightResult> {
    const lock = { name: lockKey(this.deps.prefix, key), token: randomBytes(16).toString('base64url') };
    const bounds: CallBounds = { deadline, ...(signal ? { signal } : {}) };
    const ttl = Math.min(
      MAX_SHARED_LOCK_TTL_MS,
      Math.max(MIN_SHARED_LOCK_TTL_MS, deadline - this.deps.now()),
    );
    const first = await this.tryLock(lock, ttl, bounds);
    if (first === FELL_BACK) return this.runLocal(key, deadline, run, signal);
    if (first) return this.lead(key, lock, deadline, run);
    return this.wait(key, lock, ttl, deadline, run, signal);
  }

  // wait polls for the holder's result, takes the lock over if it is freed, and gives up at the margin.
  private async wait(
    key: string,
    lock: { name: string; token: string },
    ttl: number,
    deadline: number,
    run: () => Promise<SingleFlightRun>,
    signal: AbortSignal | undefined,
  ): Promise<SingleFlightResult> {
    const started = this.deps.now();
    const giveUpAt = deadline - SHARED_LOCK_WAIT_MARGIN_MS;
    const bounds: CallBounds = { deadline, ...(signal ? { signal } : {}) };
    // ended records how the wait ended.
    const ended = (outcome: 'shared' | 'takeover' | 'timeout' | 'fallback'): void => {
      this.deps.metrics.lockWaits.inc({ outcome });
      this.deps.metrics.lockWaitSeconds.observe((this.deps.now() - started) / 1000);
    };
    for (;;) {
      signal?.throwIfAborted();
      const stored = await this.readResult(key, bounds);
      if (stored === FELL_BACK) {
        ended('fallback');
        return this.runLocal(key, deadline, run, signal);
      }
      if (stored !== undefined) {
        ended('shared');
        return { ...stored, source: 'shared' };
      }
      if (this.deps.now() + SHARED_LOCK_POLL_INTERVAL_MS >= giveUpAt) {
        ended('timeout');
        return this.runLocal(key, deadline, run, signal);
      }
      await sleep(SHARED_LOCK_POLL_INTERVAL_MS, undefined, signal ? { signal } : {});
      const took = await this.tryLock(lock, ttl, bounds);
      if (took === FELL_BACK) {
        ended('fallback');
        return this.runLocal(key, deadline, run, signal);
      }
      if (took) {
        ended('takeover');
        return this.lead(key, lock, deadline, run);
      }
    }
  }

  // lead runs with the lock held: checks once more for a result stored meanwhile, runs, stores, releases.
  private async lead(
    key: string,
    lock: { name: string; token: string },
    deadline: number,
    run: () => Promise<SingleFlightRun>,
  ): Promise<SingleFlightResult> {
    try {
      const stored = await this.readResult(key, { deadline });
      if (stored !== undefined && stored !== FELL_BACK) return { ...stored, source: 'shared' };
      const result = await run();
      await this.deps.store.set(result.kind, key, result.value, result.ttlMs, { deadline });
      return { value: result.value, kind: result.kind, source: 'ran' };
    } finally {
      await this.deps.guard.run('release', { deadline }, () =>
        this.deps.client.eval(RELEASE_SCRIPT, 1, lock.name, lock.token),
      );
    }
  }

  // runLocal runs without the lock (Valkey unusable, or waited long enough) and still offers the result.
  private async runLocal(
    key: string,
    deadline: number,
    run: () => Promise<SingleFlightRun>,
    signal: AbortSignal | undefined,
  ): Promise<SingleFlightResult> {
    signal?.throwIfAborted();
    const result = await run();
    await this.deps.store.set(result.kind, key, result.value, result.ttlMs, { deadline });
    return { value: result.value, kind: result.kind, source: 'local' };
  }

  // tryLock takes the lock if it is free: true, false (held by another), or FELL_BACK.
  private async tryLock(
    lock: { name: string; token: string },
    ttl: number,
    bounds: CallBounds,
  ): Promise<boolean | FellBack> {
    const reply = await this.deps.guard.run('lock', bounds, () =>
      this.deps.client.set(lock.name, lock.token, 'PX', ttl, 'NX'),
    );
    return reply === FELL_BACK ? FELL_BACK : reply === 'OK';
  }

  // readResult looks for a stored result of any kind under the key (a key is only ever run for one purpose:
  // a verification's keys and a resolution's keys never coincide).
  private async readResult(
    key: string,
    bounds: CallBounds,
  ): Promise<{ value: string; kind: SharedResultKind } | undefined | FellBack> {
    const reads = await Promise.all(RESULT_KINDS.map((kind) => this.deps.store.read(kind, key, bounds)));
    for (const [i, kind] of RESULT_KINDS.entries()) {
      const value = reads[i];
      if (typeof value === 'string') return { value, kind };
    }
    return reads.includes(FELL_BACK) ? FELL_BACK : undefined;
  }
}
