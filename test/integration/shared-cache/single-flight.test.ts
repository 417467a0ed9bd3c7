// Cluster-wide single flight across real processes sharing one valkey-server: one process runs, the other
// waits for its stored result; a dead holder's lock expires and a waiter takes over; a waiter never waits past
// its deadline minus the margin.
import Valkey from 'iovalkey';
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SHARED_LOCK_WAIT_MARGIN_MS } from '../../../src/shared-cache/limits';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { spawnFlight, type FlightChild } from './child/spawn';
import { newCache, PREFIX, rawClient } from './helpers';

let valkey: RunningValkey;
let raw: Valkey;
const children: FlightChild[] = [];

beforeAll(async () => {
  valkey = await startValkey();
  raw = rawClient(valkey.port);
});

afterEach(() => {
  for (const c of children.splice(0)) c.kill();
});

afterAll(async () => {
  await raw.quit();
  await valkey.stop();
});

// lockName is the Valkey key of the single-flight lock on `key`.
const lockName = (key: string): string => `${PREFIX}:lock:${createHash('sha256').update(key).digest('hex')}`;

// flightEnv is the environment of one child joining the flight on `key`.
function flightEnv(hmacKey: Buffer, key: string, runMs: string, deadlineMs: number): Record<string, string> {
  return {
    VALKEY_URL: valkey.url,
    KEY_PREFIX: PREFIX,
    HMAC_KEY_HEX: hmacKey.toString('hex'),
    FLIGHT_KEY: key,
    COUNTER_KEY: `runs:${key}`,
    RUN_MS: runMs,
    DEADLINE_MS: String(deadlineMs),
  };
}

it('runs once across two processes, and both get the value', async () => {
  const hmacKey = randomBytes(32);
  const key = 'registry.example.com/app@sha256:1111|gen-1|a0';
  const a = spawnFlight(flightEnv(hmacKey, key, '500', 8_000));
  const b = spawnFlight(flightEnv(hmacKey, key, '500', 8_000));
  children.push(a, b);
  await Promise.all([a.line(/^ready$/), b.line(/^ready$/)]);
  a.go();
  b.go();
  const results = (await Promise.all([a.line(/^\{/), b.line(/^\{/)])).map(
    (l) => JSON.parse(l) as { value: string; kind: string; source: string },
  );
  expect(await raw.get(`runs:${key}`)).toBe('1');
  const [first, second] = results;
  expect(first?.value).toMatch(/^verified by \d+$/);
  expect(second?.value).toBe(first?.value);
  expect(results.map((r) => r.kind)).toEqual(['verdict', 'verdict']);
  expect(results.map((r) => r.source).sort()).toEqual(['ran', 'shared']);
  // The stored result serves a third caller without running again.
  const third = await newCache(valkey.url, { hmacKey });
  try {
    expect(await third.cache.get('verdict', key)).toBe(first?.value);
  } finally {
    await third.cache.close();
  }
});

it('takes over when the lock holder dies, once its lock expires', async () => {
  const hmacKey = randomBytes(32);
  const key = 'registry.example.com/app@sha256:2222|gen-1|a0';
  // The holder's deadline is 1.2 s away, so its lock lives 1.2 s; its run() never returns.
  const holder = spawnFlight(flightEnv(hmacKey, key, 'hang', 1_200));
  children.push(holder);
  await holder.line(/^ready$/);
  holder.go();
  await holder.line(/^running$/);
  const lockedAt = performance.now();
  holder.kill();
  const waiter = await newCache(valkey.url, { hmacKey });
  try {
    let runs = 0;
    const result = await waiter.cache.singleFlight(key, Date.now() + 8_000, async () => {
      runs += 1;
      return { value: 'verified by the waiter', kind: 'verdict', ttlMs: 60_000 };
    });
    const waited = performance.now() - lockedAt;
    expect(runs).toBe(1);
    expect(result).toEqual({ value: 'verified by the waiter', kind: 'verdict', source: 'ran' });
    expect(await raw.get(`runs:${key}`)).toBe('1');
    // It waited for the dead holder's lock to expire (about 1.2 s after it was taken), not for its own margin.
    expect(waited).toBeGreaterThan(800);
    expect(waited).toBeLessThan(3_000);
    expect(await waiter.metric('portcullis_shared_cache_lock_waits_total', { outcome: 'takeover' })).toBe(1);
  } finally {
    await waiter.cache.close();
  }
});

it('a waiter runs locally at its deadline minus the margin when the holder is still busy', async () => {
  const hmacKey = randomBytes(32);
  const key = 'registry.example.com/app@sha256:3333|gen-1|a0';
  // Another replica holds the lock for 30 s and never answers.
  await raw.set(lockName(key), 'other', 'PX', 30_000);
  const waiter = await newCache(valkey.url, { hmacKey });
  try {
    const start = performance.now();
    const result = await waiter.cache.singleFlight(
      key,
      Date.now() + SHARED_LOCK_WAIT_MARGIN_MS + 500,
      async () => ({
        value: 'local',
        kind: 'negative',
        ttlMs: 5_000,
      }),
    );
    const waited = performance.now() - start;
    expect(result).toEqual({ value: 'local', kind: 'negative', source: 'local' });
    expect(waited).toBeGreaterThan(400);
    expect(waited).toBeLessThan(700);
    expect(await waiter.metric('portcullis_shared_cache_lock_waits_total', { outcome: 'timeout' })).toBe(1);
    // The local result is still offered to the others.
    expect(await waiter.cache.get('negative', key)).toBe('local');
  } finally {
    await waiter.cache.close();
  }
});

it('the holder releases its lock when run fails, and the error reaches the caller', async () => {
  const key = 'registry.example.com/app@sha256:4444|gen-1|a0';
  const t = await newCache(valkey.url);
  try {
    await expect(
      t.cache.singleFlight(key, Date.now() + 5_000, () => Promise.reject(new Error('registry down'))),
    ).rejects.toThrow('registry down');
    expect(await raw.exists(lockName(key))).toBe(0);
  } finally {
    await t.cache.close();
  }
});
