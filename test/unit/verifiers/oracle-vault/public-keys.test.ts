import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { MAX_CACHED_OCI_PUBLIC_KEYS } from '../../../../src/verifiers/oracle-vault/limits';
import { OciPublicKeyCache } from '../../../../src/verifiers/oracle-vault/public-keys';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;

// counting wraps a loader so that a test can see how often the cache ran it.
function counting(load: () => Promise<KeyObject> = () => Promise.resolve(KEY)) {
  const calls = { n: 0 };
  return {
    calls,
    load: () => {
      calls.n += 1;
      return load();
    },
  };
}

describe('OciPublicKeyCache', () => {
  it('loads a key once and keeps it', async () => {
    const cache = new OciPublicKeyCache();
    const { calls, load } = counting();
    await expect(cache.get('k', load)).resolves.toBe(KEY);
    await expect(cache.get('k', load)).resolves.toBe(KEY);
    expect(calls.n).toBe(1);
  });

  it('shares one load between concurrent lookups', async () => {
    const cache = new OciPublicKeyCache();
    let release: (k: KeyObject) => void = () => undefined;
    const { calls, load } = counting(() => new Promise((resolve) => (release = resolve)));
    const both = Promise.all([cache.get('k', load), cache.get('k', load)]);
    release(KEY);
    await expect(both).resolves.toEqual([KEY, KEY]);
    expect(calls.n).toBe(1);
  });

  it('shares a failure, then tries again', async () => {
    const cache = new OciPublicKeyCache();
    const failing = counting(() => Promise.reject(new Error('KMS down')));
    await expect(Promise.all([cache.get('k', failing.load), cache.get('k', failing.load)])).rejects.toThrow(
      'KMS down',
    );
    expect(failing.calls.n).toBe(1);
    await expect(cache.get('k', counting().load)).resolves.toBe(KEY);
  });

  it(`keeps at most ${MAX_CACHED_OCI_PUBLIC_KEYS} keys, dropping the least recently used`, async () => {
    const cache = new OciPublicKeyCache();
    const { calls, load } = counting();
    for (let i = 0; i <= MAX_CACHED_OCI_PUBLIC_KEYS; i++) {
      await cache.get(`k${i}`, load);
      if (i === 0) continue;
      await cache.get('k0', load); // k0 stays the most recently used
    }
    expect(calls.n).toBe(MAX_CACHED_OCI_PUBLIC_KEYS + 1);
    await cache.get('k0', load);
    expect(calls.n).toBe(MAX_CACHED_OCI_PUBLIC_KEYS + 1);
    await cache.get('k1', load);
    expect(calls.n).toBe(MAX_CACHED_OCI_PUBLIC_KEYS + 2);
  });

  it('answers a lookup whose entry was evicted while it loaded', async () => {
    const cache = new OciPublicKeyCache();
    let release: (k: KeyObject) => void = () => undefined;
    const slow = cache.get('slow', () => new Promise((resolve) => (release = resolve)));
    for (let i = 0; i < MAX_CACHED_OCI_PUBLIC_KEYS; i++) await cache.get(`k${i}`, counting().load);
    release(KEY);
    await expect(slow).resolves.toBe(KEY);
  });
});
