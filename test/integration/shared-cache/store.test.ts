// The shared cache against a real valkey-server: values round-trip, key names reveal nothing, and entries
// written by anyone without the HMAC key (forged, moved to another key or kind, kept past expiry) are refused.
import Valkey from 'iovalkey';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { newCache, PREFIX, type TestCache, rawClient } from './helpers';

const IMAGE_KEY = 'registry.example.com/team/app@sha256:abc|gen-7|authority-0';
const hashed = (kind: string, key: string): string =>
  `${PREFIX}:${kind}:${createHash('sha256').update(key).digest('hex')}`;

let valkey: RunningValkey;
let raw: Valkey;
let t: TestCache;

beforeAll(async () => {
  valkey = await startValkey();
  raw = rawClient(valkey.port);
  t = await newCache(valkey.url);
  expect(t.cache.connected()).toBe(true);
});

afterAll(async () => {
  await t.cache.close();
  await raw.quit();
  await valkey.stop();
});

beforeEach(async () => {
  await raw.flushall();
});

describe('round trip', () => {
  it.each(['verdict', 'resolution', 'negative'] as const)('stores and reads back a %s', async (kind) => {
    await t.cache.set(kind, IMAGE_KEY, `{"kind":"${kind}"}`, 5_000);
    expect(await t.cache.get(kind, IMAGE_KEY)).toBe(`{"kind":"${kind}"}`);
    expect(await t.metric('portcullis_shared_cache_hits_total', { kind })).toBeGreaterThanOrEqual(1);
  });

  it('misses a key never written, and counts the miss', async () => {
    const before = await t.metric('portcullis_shared_cache_misses_total', { kind: 'verdict' });
    expect(await t.cache.get('verdict', 'never written')).toBeUndefined();
    expect(await t.metric('portcullis_shared_cache_misses_total', { kind: 'verdict' })).toBe(before + 1);
  });

  it('names keys <prefix>:<kind>:<sha256 of key>, with no image name in Valkey key names', async () => {
    await t.cache.set('verdict', IMAGE_KEY, 'v', 5_000);
    expect(await raw.keys('*')).toEqual([hashed('verdict', IMAGE_KEY)]);
  });

  it('sets the Valkey TTL, and caps a negative result at 30 s', async () => {
    await t.cache.set('verdict', IMAGE_KEY, 'v', 5_000);
    await t.cache.set('negative', IMAGE_KEY, 'n', 3_600_000);
    const verdictTtl = await raw.pttl(hashed('verdict', IMAGE_KEY));
    const negativeTtl = await raw.pttl(hashed('negative', IMAGE_KEY));
    expect(verdictTtl).toBeGreaterThan(4_000);
    expect(verdictTtl).toBeLessThanOrEqual(5_000);
    expect(negativeTtl).toBeGreaterThan(25_000);
    expect(negativeTtl).toBeLessThanOrEqual(30_000);
  });

  it('writes nothing for an empty TTL', async () => {
    await t.cache.set('verdict', IMAGE_KEY, 'v', 0);
    expect(await raw.keys('*')).toEqual([]);
  });
});

describe('integrity', () => {
  // rejected reads the counter of refused entries of one kind and reason.
  const rejected = (kind: string, reason: string): Promise<number> =>
    t.metric('portcullis_shared_cache_rejected_total', { kind, reason });

  it('rejects a forged "allowed" verdict written straight into Valkey, and logs it without the value', async () => {
    const forged = JSON.stringify({
      v: 1,
      exp: Date.now() + 60_000,
      val: '{"allowed":true,"secret-marker":1}',
      mac: Buffer.alloc(32, 7).toString('base64url'),
    });
    await raw.set(hashed('verdict', IMAGE_KEY), forged, 'PX', 60_000);
    const before = await rejected('verdict', 'forged');
    expect(await t.cache.get('verdict', IMAGE_KEY)).toBeUndefined();
    expect(await rejected('verdict', 'forged')).toBe(before + 1);
    const warning = t.logs().find((l) => l.reason === 'forged');
    expect(warning).toMatchObject({ level: 40, kind: 'verdict', valkeyKey: hashed('verdict', IMAGE_KEY) });
    expect(JSON.stringify(t.logs())).not.toContain('secret-marker');
  });

  it('rejects a genuine entry of one key copied to another key', async () => {
    await t.cache.set('verdict', 'good-image', '{"allowed":true}', 60_000);
    const genuine = await raw.get(hashed('verdict', 'good-image'));
    await raw.set(hashed('verdict', 'bad-image'), genuine ?? '', 'PX', 60_000);
    expect(await t.cache.get('verdict', 'good-image')).toBe('{"allowed":true}');
    expect(await t.cache.get('verdict', 'bad-image')).toBeUndefined();
  });

  it('rejects an entry moved to another kind (a resolution read as a verdict)', async () => {
    await t.cache.set('resolution', IMAGE_KEY, 'sha256:abc', 60_000);
    const genuine = await raw.get(hashed('resolution', IMAGE_KEY));
    await raw.set(hashed('verdict', IMAGE_KEY), genuine ?? '', 'PX', 60_000);
    const before = await rejected('verdict', 'forged');
    expect(await t.cache.get('verdict', IMAGE_KEY)).toBeUndefined();
    expect(await rejected('verdict', 'forged')).toBe(before + 1);
  });

  it('rejects an entry kept past its expiry (PERSIST)', async () => {
    await t.cache.set('verdict', IMAGE_KEY, 'v', 1_000);
    await raw.persist(hashed('verdict', IMAGE_KEY));
    await sleep(1_100);
    expect(await raw.exists(hashed('verdict', IMAGE_KEY))).toBe(1);
    expect(await t.cache.get('verdict', IMAGE_KEY)).toBeUndefined();
    expect(await rejected('verdict', 'expired')).toBeGreaterThanOrEqual(1);
  });

  it('rejects an entry sealed with another HMAC key (another deployment)', async () => {
    const other = await newCache(valkey.url);
    await other.cache.set('verdict', IMAGE_KEY, 'v', 60_000);
    await other.cache.close();
    expect(await t.cache.get('verdict', IMAGE_KEY)).toBeUndefined();
  });

  it.each([
    ['garbage', 'not json at all'],
    ['garbage', '{"v":1,"exp":1}'],
    ['oversize', 'x'.repeat(300 * 1024)],
  ])('rejects a stored %s value', async (reason, value) => {
    await raw.set(hashed('verdict', IMAGE_KEY), value, 'PX', 60_000);
    const before = await rejected('verdict', reason);
    expect(await t.cache.get('verdict', IMAGE_KEY)).toBeUndefined();
    expect(await rejected('verdict', reason)).toBe(before + 1);
  });

  it('rejects a key of another type (a list where a string should be) as a fallback, not a throw', async () => {
    await raw.rpush(hashed('verdict', IMAGE_KEY), 'a');
    await expect(t.cache.get('verdict', IMAGE_KEY)).resolves.toBeUndefined();
  });
});
