// A Valkey with --requirepass: the right password works; a wrong or missing one falls back, never throws.
import { randomBytes } from 'node:crypto';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { newCache } from './helpers';

let valkey: RunningValkey;

beforeAll(async () => {
  valkey = await startValkey({ requirepass: randomBytes(16).toString('hex') });
});

afterAll(async () => {
  await valkey.stop();
});

it('works with the password', async () => {
  const t = await newCache(valkey.url, { password: valkey.password ?? '' });
  try {
    expect(t.cache.connected()).toBe(true);
    await t.cache.set('resolution', 'registry.example.com/app:1.0', 'sha256:abc', 5_000);
    expect(await t.cache.get('resolution', 'registry.example.com/app:1.0')).toBe('sha256:abc');
  } finally {
    await t.cache.close();
  }
});

it.each([
  ['a wrong password', { password: 'wrong' }],
  ['no password', {}],
])('falls back with %s, and never logs the password', async (_name, options) => {
  const t = await newCache(valkey.url, { ...options, wait: false });
  try {
    await new Promise((r) => setTimeout(r, 300));
    expect(t.cache.connected()).toBe(false);
    await expect(t.cache.set('verdict', 'k', 'v', 5_000)).resolves.toBeUndefined();
    await expect(t.cache.get('verdict', 'k')).resolves.toBeUndefined();
    expect(await t.metric('portcullis_shared_cache_fallback_total', { op: 'get' })).toBe(1);
    // The reason is logged (Valkey's own words), the password never.
    expect(JSON.stringify(t.logs())).toMatch(/WRONGPASS|NOAUTH/);
    expect(JSON.stringify(t.logs())).not.toContain(valkey.password);
  } finally {
    await t.cache.close();
  }
});
