// The store over a fake client: TTL caps, the per-minute cap on negative results, and reads of odd replies.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { Guard } from '../../../src/shared-cache/guard';
import {
  MAX_SHARED_CACHE_TTL_MS,
  MAX_SHARED_NEGATIVE_TTL_MS,
  MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE,
} from '../../../src/shared-cache/limits';
import { SharedCacheMetrics } from '../../../src/shared-cache/metrics';
import { NegativeBudget } from '../../../src/shared-cache/negative-budget';
import { Store } from '../../../src/shared-cache/store';

// setup builds a store on a Map-backed client and a settable clock.
function setup() {
  let clock = 1_800_000_000_000;
  const now = (): number => clock;
  const data = new Map<string, unknown>();
  const ttls = new Map<string, number>();
  const client = {
    get: (key: string) => Promise.resolve((data.get(key) ?? null) as string | null),
    set: (key: string, value: string, _px: 'PX', ttl: number) => {
      data.set(key, value);
      ttls.set(key, ttl);
      return Promise.resolve('OK');
    },
  };
  const metrics = new SharedCacheMetrics();
  const logger = pino({ level: 'silent' });
  const guard = new Guard({ ready: () => true, onTrip: () => undefined, metrics, logger, now });
  const store = new Store({
    client,
    guard,
    hmacKey: randomBytes(32),
    prefix: 'p',
    negatives: new NegativeBudget(now),
    metrics,
    logger,
    now,
  });
  return { store, data, ttls, metrics, advance: (ms: number) => (clock += ms) };
}

describe('Store', () => {
  it('caps any TTL, and a negative one harder', async () => {
    const { store, ttls } = setup();
    await store.set('verdict', 'k', 'v', 10 * MAX_SHARED_CACHE_TTL_MS);
    await store.set('negative', 'k', 'v', 10 * MAX_SHARED_NEGATIVE_TTL_MS);
    expect([...ttls.values()]).toEqual([MAX_SHARED_CACHE_TTL_MS, MAX_SHARED_NEGATIVE_TTL_MS]);
  });

  it.each([0, -1, Number.NaN])('writes nothing for a TTL of %s', async (ttl) => {
    const { store, data } = setup();
    await store.set('verdict', 'k', 'v', ttl);
    expect(data.size).toBe(0);
  });

  it(`writes at most ${MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE} negative results a minute`, async () => {
    const { store, data, metrics, advance } = setup();
    for (let i = 0; i <= MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE; i += 1) {
      await store.set('negative', `bad-${i}`, 'denied', 10_000);
    }
    expect(data.size).toBe(MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE);
    expect((await metrics.negativeSkipped.get()).values[0]?.value).toBe(1);
    // Verdicts are not capped; the next minute has a fresh budget.
    await store.set('verdict', 'good', 'ok', 10_000);
    advance(60_000);
    await store.set('negative', 'bad-next', 'denied', 10_000);
    expect(data.size).toBe(MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE + 2);
  });

  it('reads back what it wrote until the entry expires', async () => {
    const { store, advance } = setup();
    await store.set('resolution', 'r/app:1', 'sha256:abc', 1_000);
    expect(await store.get('resolution', 'r/app:1')).toBe('sha256:abc');
    advance(1_000);
    expect(await store.get('resolution', 'r/app:1')).toBeUndefined();
  });

  it('refuses a reply that is not a string', async () => {
    const { store, data, metrics } = setup();
    await store.set('verdict', 'k', 'v', 1_000);
    const [name] = [...data.keys()];
    data.set(name ?? '', 42);
    expect(await store.get('verdict', 'k')).toBeUndefined();
    const rejected = (await metrics.rejected.get()).values;
    expect(rejected).toEqual([
      expect.objectContaining({ labels: { kind: 'verdict', reason: 'garbage' }, value: 1 }),
    ]);
  });
});
