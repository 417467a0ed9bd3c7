// Valkey slow, hung or gone never blocks a caller past the op timeout (50 ms) or its deadline, never throws,
// and a single flight then runs locally at once.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SHARED_CACHE_OP_TIMEOUT_MS } from '../../../src/shared-cache/limits';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { newCache, type TestCache } from './helpers';

/** Timer and scheduling slack on a shared 2-core machine. */
const SLACK_MS = 40;

// timed runs `fn` and returns its result and how long it took.
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

describe('a hung Valkey (SIGSTOP mid-request)', () => {
  let valkey: RunningValkey;
  let t: TestCache;

  beforeAll(async () => {
    valkey = await startValkey();
    t = await newCache(valkey.url);
    await t.cache.set('verdict', 'k', 'v', 60_000);
    expect(await t.cache.get('verdict', 'k')).toBe('v');
  });

  afterAll(async () => {
    await t.cache.close();
    await valkey.stop();
  });

  it('returns undefined within the op timeout, counts a fallback and logs it', async () => {
    // Stopped first, so the request is surely in flight, unanswered, when the timeout runs.
    valkey.pause();
    const { value, ms } = await timed(() => t.cache.get('verdict', 'k'));
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(SHARED_CACHE_OP_TIMEOUT_MS + SLACK_MS);
    expect(await t.metric('portcullis_shared_cache_fallback_total', { op: 'get' })).toBeGreaterThanOrEqual(1);
    expect(t.logs().some((l) => l.op === 'get' && l.reason === 'timeout')).toBe(true);
  });

  it('stops at the caller deadline when it is nearer than the op timeout', async () => {
    const { value, ms } = await timed(() => t.cache.get('verdict', 'k', { deadline: Date.now() + 10 }));
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(10 + SLACK_MS);
  });

  it('returns at once when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const { value, ms } = await timed(() => t.cache.get('verdict', 'k', { signal: controller.signal }));
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(SHARED_CACHE_OP_TIMEOUT_MS);
  });

  it('set gives up within the op timeout too', async () => {
    const { ms } = await timed(() => t.cache.set('verdict', 'k2', 'v', 60_000));
    expect(ms).toBeLessThan(SHARED_CACHE_OP_TIMEOUT_MS + SLACK_MS);
  });

  it('single flight runs locally, and within about one op timeout more than run itself', async () => {
    let runs = 0;
    const { value, ms } = await timed(() =>
      t.cache.singleFlight('k3', Date.now() + 5_000, async () => {
        runs += 1;
        return { value: 'local verdict', kind: 'verdict', ttlMs: 60_000 };
      }),
    );
    expect(runs).toBe(1);
    expect(value).toEqual({ value: 'local verdict', kind: 'verdict', source: 'local' });
    // One lock attempt and one store attempt at most (each bounded), or none once the breaker is open.
    expect(ms).toBeLessThan(2 * SHARED_CACHE_OP_TIMEOUT_MS + SLACK_MS);
  });

  it('recovers once Valkey answers again', async () => {
    valkey.resume();
    const until = Date.now() + 10_000;
    let value: string | undefined;
    while (value === undefined && Date.now() < until) {
      value = await t.cache.get('verdict', 'k');
      if (value === undefined) await sleep(100);
    }
    expect(value).toBe('v');
  });
});

describe('a Valkey that is killed mid-request', () => {
  it('returns undefined within the op timeout, and later calls fall back at once', async () => {
    const valkey = await startValkey();
    const t = await newCache(valkey.url);
    try {
      await t.cache.set('verdict', 'k', 'v', 60_000);
      // Stopped, so that the request is in flight and unanswered when the process dies.
      valkey.pause();
      const pending = timed(() => t.cache.get('verdict', 'k'));
      setTimeout(() => valkey.kill(), 10);
      const first = await pending;
      expect(first.value).toBeUndefined();
      expect(first.ms).toBeLessThan(SHARED_CACHE_OP_TIMEOUT_MS + SLACK_MS);
      await sleep(50);
      const later = await timed(() => t.cache.get('verdict', 'k'));
      expect(later.value).toBeUndefined();
      expect(later.ms).toBeLessThan(10);
      expect(t.cache.connected()).toBe(false);
      let runs = 0;
      const flight = await timed(() =>
        t.cache.singleFlight('k', Date.now() + 5_000, async () => {
          runs += 1;
          return { value: 'x', kind: 'verdict', ttlMs: 1_000 };
        }),
      );
      expect(runs).toBe(1);
      expect(flight.value.source).toBe('local');
      expect(flight.ms).toBeLessThan(10);
    } finally {
      await t.cache.close();
      await valkey.stop();
    }
  });
});

describe('a Valkey that is not there at all', () => {
  it('construction succeeds and every call falls back at once', async () => {
    const t = await newCache('redis://127.0.0.1:1', { wait: false });
    try {
      const { value, ms } = await timed(() => t.cache.get('verdict', 'k'));
      expect(value).toBeUndefined();
      expect(ms).toBeLessThan(10);
      await expect(t.cache.set('verdict', 'k', 'v', 1_000)).resolves.toBeUndefined();
    } finally {
      await t.cache.close();
    }
  });
});
