// The guard around each Valkey command: bounded by the op timeout and the deadline, never throwing, and
// skipping Valkey (breaker, disconnected, too many in flight) without sending anything.
import pino from 'pino';
import { FELL_BACK, Guard } from '../../../src/shared-cache/guard';
import {
  MAX_SHARED_CACHE_IN_FLIGHT,
  SHARED_CACHE_BREAKER_FAILURES,
  SHARED_CACHE_BREAKER_OPEN_MS,
  SHARED_CACHE_OP_TIMEOUT_MS,
} from '../../../src/shared-cache/limits';
import { SharedCacheMetrics } from '../../../src/shared-cache/metrics';

const never = (): Promise<string> => new Promise<string>(() => undefined);

// setup builds a guard over a settable clock and readiness, and counts its trips.
function setup(ready = true) {
  let clock = 1_000_000;
  const state = { ready, trips: 0 };
  const metrics = new SharedCacheMetrics();
  const guard = new Guard({
    ready: () => state.ready,
    onTrip: () => (state.trips += 1),
    metrics,
    logger: pino({ level: 'silent' }),
    now: () => clock,
  });
  const fallbacks = async (op: string): Promise<number> =>
    (await metrics.fallbacks.get()).values.find((v) => v.labels.op === op)?.value ?? 0;
  return { guard, state, fallbacks, advance: (ms: number) => (clock += ms) };
}

describe('Guard', () => {
  it('passes a reply through', async () => {
    const { guard } = setup();
    await expect(guard.run('get', {}, () => Promise.resolve('v'))).resolves.toBe('v');
  });

  it('falls back on a command error, and on a command that throws synchronously', async () => {
    const { guard, fallbacks } = setup();
    await expect(guard.run('get', {}, () => Promise.reject(new Error('WRONGTYPE')))).resolves.toBe(FELL_BACK);
    await expect(
      guard.run('set', {}, () => {
        throw new Error('Stream not writeable');
      }),
    ).resolves.toBe(FELL_BACK);
    expect(await fallbacks('get')).toBe(1);
    expect(await fallbacks('set')).toBe(1);
  });

  it('falls back after the op timeout when Valkey does not answer', async () => {
    const { guard } = setup();
    const start = performance.now();
    await expect(guard.run('get', {}, never)).resolves.toBe(FELL_BACK);
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(SHARED_CACHE_OP_TIMEOUT_MS - 2);
    expect(took).toBeLessThan(SHARED_CACHE_OP_TIMEOUT_MS + 40);
  });

  it('sends nothing once the deadline has passed, or when disconnected', async () => {
    const { guard, state } = setup();
    const command = jest.fn(() => Promise.resolve('v'));
    await expect(guard.run('get', { deadline: 1_000_000 }, command)).resolves.toBe(FELL_BACK);
    state.ready = false;
    await expect(guard.run('get', {}, command)).resolves.toBe(FELL_BACK);
    expect(command).not.toHaveBeenCalled();
  });

  it('returns at once for an aborted signal', async () => {
    const { guard } = setup();
    const command = jest.fn(() => Promise.resolve('v'));
    await expect(guard.run('get', { signal: AbortSignal.abort() }, command)).resolves.toBe(FELL_BACK);
    expect(command).not.toHaveBeenCalled();
  });

  it(`opens the breaker after ${SHARED_CACHE_BREAKER_FAILURES} failures in a row, and closes it later`, async () => {
    const { guard, state, advance } = setup();
    for (let i = 0; i < SHARED_CACHE_BREAKER_FAILURES; i += 1) {
      await guard.run('get', {}, () => Promise.reject(new Error('x')));
    }
    expect(state.trips).toBe(1);
    const command = jest.fn(() => Promise.resolve('v'));
    await expect(guard.run('get', {}, command)).resolves.toBe(FELL_BACK);
    expect(command).not.toHaveBeenCalled();
    advance(SHARED_CACHE_BREAKER_OPEN_MS);
    await expect(guard.run('get', {}, command)).resolves.toBe('v');
  });

  it('a success resets the failure count', async () => {
    const { guard, state } = setup();
    for (let i = 0; i < 2 * SHARED_CACHE_BREAKER_FAILURES; i += 1) {
      await guard.run('get', {}, () => Promise.reject(new Error('x')));
      if (i % (SHARED_CACHE_BREAKER_FAILURES - 1) === 0)
        await guard.run('get', {}, () => Promise.resolve('v'));
    }
    expect(state.trips).toBe(0);
  });

  it(`sends no more than ${MAX_SHARED_CACHE_IN_FLIGHT} commands that Valkey has not answered`, async () => {
    const { guard, advance } = setup();
    const pending: ((v: string) => void)[] = [];
    const held = (): Promise<string> => new Promise((resolve) => pending.push(resolve));
    const calls = Array.from({ length: MAX_SHARED_CACHE_IN_FLIGHT }, () =>
      guard.run('get', { deadline: Infinity }, held),
    );
    const command = jest.fn(() => Promise.resolve('v'));
    await expect(guard.run('get', {}, command)).resolves.toBe(FELL_BACK);
    expect(command).not.toHaveBeenCalled();
    // Timed-out commands still count until Valkey answers them (the timeouts opened the breaker: wait it out).
    await Promise.all(calls);
    advance(SHARED_CACHE_BREAKER_OPEN_MS);
    await expect(guard.run('get', {}, command)).resolves.toBe(FELL_BACK);
    expect(command).not.toHaveBeenCalled();
    for (const resolve of pending) resolve('late');
    await new Promise((r) => setImmediate(r));
    await expect(guard.run('get', {}, command)).resolves.toBe('v');
  });
});
