// The small bounded structures: token bucket (Event rate) and TTL cache (pull secrets).
import { TokenBucket } from '../../../src/kube/token-bucket';
import { TtlCache } from '../../../src/ttl-cache';

describe('TokenBucket', () => {
  it.each([
    { rate: 5, burst: 3, steps: [0, 0, 0, 0], expected: [true, true, true, false] },
    { rate: 5, burst: 1, steps: [0, 100, 200], expected: [true, false, true] },
    { rate: 1, burst: 2, steps: [0, 0, 0, 5000, 0, 0], expected: [true, true, false, true, true, false] },
  ])('rate $rate/s burst $burst', ({ rate, burst, steps, expected }) => {
    let now = 1_000_000;
    const bucket = new TokenBucket(rate, burst, () => now);
    const got = steps.map((advance) => {
      now += advance;
      return bucket.take();
    });
    expect(got).toEqual(expected);
  });

  it('does not refill when the clock goes backwards', () => {
    let now = 10_000;
    const bucket = new TokenBucket(100, 1, () => now);
    expect(bucket.take()).toBe(true);
    now -= 5000;
    expect(bucket.take()).toBe(false);
  });
});

describe('TtlCache', () => {
  it('expires entries after the TTL', () => {
    let now = 0;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set('a', 'x');
    now = 99;
    expect(cache.get('a')).toBe('x');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the oldest beyond maxEntries', () => {
    const cache = new TtlCache<number>(1000, 2, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('evicts the least recently used, not one just read', () => {
    const cache = new TtlCache<number>(1000, 2, () => 0);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
  });

  it('computes once per live key', () => {
    let now = 0;
    let computed = 0;
    const cache = new TtlCache<number>(10, 5, () => now);
    const get = (): number => cache.getOrSet('k', () => ++computed);
    expect([get(), get()]).toEqual([1, 1]);
    now = 10;
    expect(get()).toBe(2);
  });
});
