import { Coalescer } from '../../../src/engine/coalesce';
import { VerdictCache } from '../../../src/engine/verdict-cache';

describe('VerdictCache', () => {
  it('returns a stored success until its TTL passes, then forgets it', () => {
    let now = 1_000;
    const cache = new VerdictCache(() => now, 100);
    const key = VerdictCache.key('sha256:aa', 'ClusterImagePolicy/p@1', 'a');
    cache.set(key, { summary: 'ok', warnings: [] });
    expect(cache.get(key)?.summary).toBe('ok');
    now += 99;
    expect(cache.get(key)).toBeDefined();
    now += 1;
    expect(cache.get(key)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keys by digest, policy generation and authority: a change in any one misses', () => {
    const cache = new VerdictCache(() => 0, 1000);
    cache.set(VerdictCache.key('sha256:aa', 'P@1', 'a'), { summary: 'ok', warnings: [] });
    expect(cache.get(VerdictCache.key('sha256:bb', 'P@1', 'a'))).toBeUndefined();
    expect(cache.get(VerdictCache.key('sha256:aa', 'P@2', 'a'))).toBeUndefined();
    expect(cache.get(VerdictCache.key('sha256:aa', 'P@1', 'b'))).toBeUndefined();
    expect(cache.get(VerdictCache.key('sha256:aa', 'P@1', 'a'))).toBeDefined();
  });

  it('cannot be confused by separators inside the parts', () => {
    expect(VerdictCache.key('a', 'b:c', 'd')).not.toBe(VerdictCache.key('a:b', 'c', 'd'));
  });

  it('evicts the oldest entry when full', () => {
    const cache = new VerdictCache(() => 0, 1000, 2);
    cache.set('k1', { summary: '1', warnings: [] });
    cache.set('k2', { summary: '2', warnings: [] });
    cache.set('k3', { summary: '3', warnings: [] });
    expect(cache.get('k1')).toBeUndefined();
    expect(cache.get('k2')?.summary).toBe('2');
    expect(cache.get('k3')?.summary).toBe('3');
    expect(cache.size).toBe(2);
  });

  it('evicts the least recently used entry, not one just read', () => {
    const cache = new VerdictCache(() => 0, 1000, 2);
    cache.set('k1', { summary: '1', warnings: [] });
    cache.set('k2', { summary: '2', warnings: [] });
    expect(cache.get('k1')?.summary).toBe('1');
    cache.set('k3', { summary: '3', warnings: [] });
    expect(cache.get('k2')).toBeUndefined();
    expect(cache.get('k1')?.summary).toBe('1');
    expect(cache.get('k3')?.summary).toBe('3');
  });

  it('does not extend a verdict by reading it', () => {
    let now = 1_000;
    const cache = new VerdictCache(() => now, 100);
    cache.set('k', { summary: 'ok', warnings: [] });
    now += 60;
    expect(cache.get('k')).toBeDefined();
    now += 40;
    expect(cache.get('k')).toBeUndefined();
  });
});

describe('Coalescer', () => {
  it('runs concurrent calls with one key once and shares the result', async () => {
    const c = new Coalescer<number>();
    let calls = 0;
    let release: (v: number) => void = () => undefined;
    const fn = (): Promise<number> => {
      calls += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const a = c.run('k', fn);
    const b = c.run('k', fn);
    expect(c.size).toBe(1);
    release(7);
    await expect(Promise.all([a, b])).resolves.toEqual([7, 7]);
    expect(calls).toBe(1);
    expect(c.size).toBe(0);
  });

  it('shares a rejection, then lets the next call try again', async () => {
    const c = new Coalescer<number>();
    let calls = 0;
    const failing = (): Promise<number> => {
      calls += 1;
      return Promise.reject(new Error('down'));
    };
    await expect(Promise.all([c.run('k', failing), c.run('k', failing)])).rejects.toThrow('down');
    expect(calls).toBe(1);
    await expect(c.run('k', () => Promise.resolve(1))).resolves.toBe(1);
  });

  it('keeps different keys apart', async () => {
    const c = new Coalescer<string>();
    const results = await Promise.all([c.run('a', async () => 'A'), c.run('b', async () => 'B')]);
    expect(results).toEqual(['A', 'B']);
  });
});
