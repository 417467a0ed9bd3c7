// The shutdown order of `serve`: SIGTERM drains (readiness fails) for the drain delay before the listeners close,
// then the rest stops; SIGINT skips the delay; a stuck close is abandoned after the grace period.
import { EventEmitter } from 'node:events';
import pino from 'pino';
import { waitForShutdown } from '../../../src/app/shutdown';
import { toDrainDelayMs } from '../../../src/app/shutdown-options';
import { Drain } from '../../../src/server/drain';
import { DEFAULT_DRAIN_DELAY_MS, MAX_DRAIN_DELAY_MS } from '../../../src/server/limits';
import { ConfigError } from '../../../src/errors';

const logger = pino({ level: 'silent' });

// startShutdown wires waitForShutdown to a fake signal source and records when each step ran.
function startShutdown(drainDelayMs: number, closeServers: () => Promise<unknown> = async () => undefined) {
  const signals = new EventEmitter();
  const drain = new Drain();
  const steps: { step: string; at: number; draining: boolean }[] = [];
  const t0 = Date.now();
  const mark = (step: string): void => {
    steps.push({ step, at: Date.now() - t0, draining: drain.draining });
  };
  const done = waitForShutdown({
    drain,
    drainDelayMs,
    logger,
    signals: { once: (event, listener) => signals.once(event, listener) },
    graceMs: 300,
    closeServers: async () => {
      mark('closeServers');
      return closeServers();
    },
    stopRest: async () => mark('stopRest'),
  }).then(() => mark('resolved'));
  return { signals, drain, steps, done };
}

describe('waitForShutdown', () => {
  it('drains at once on SIGTERM and closes the listeners only after the drain delay', async () => {
    const s = startShutdown(200);
    expect(s.drain.draining).toBe(false);
    s.signals.emit('SIGTERM');
    expect(s.drain.draining).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.steps).toEqual([]);
    await s.done;
    expect(s.steps.map((x) => x.step)).toEqual(['closeServers', 'stopRest', 'resolved']);
    expect(s.steps[0]?.at).toBeGreaterThanOrEqual(190);
    expect(s.steps.every((x) => x.draining)).toBe(true);
  });

  it('skips the drain delay on SIGINT', async () => {
    const s = startShutdown(10_000);
    s.signals.emit('SIGINT');
    await s.done;
    expect(s.steps[0]?.step).toBe('closeServers');
    expect(s.steps[0]?.at).toBeLessThan(1000);
  });

  it('gives up on listeners that do not close within the grace period, and still stops the rest', async () => {
    const s = startShutdown(0, () => new Promise(() => undefined));
    s.signals.emit('SIGTERM');
    await s.done;
    expect(s.steps.map((x) => x.step)).toEqual(['closeServers', 'stopRest', 'resolved']);
    expect(s.steps[2]?.at).toBeGreaterThanOrEqual(290);
  });
});

describe('--drain-delay', () => {
  it.each([
    [undefined, DEFAULT_DRAIN_DELAY_MS],
    ['0s', 0],
    ['500ms', 500],
    ['5s', 5000],
    [`${MAX_DRAIN_DELAY_MS / 1000}s`, MAX_DRAIN_DELAY_MS],
  ])('%s is %d ms', (flag, ms) => {
    expect(toDrainDelayMs(flag)).toBe(ms);
  });

  it.each(['5', '-1s', '1m', '5 s', `${MAX_DRAIN_DELAY_MS / 1000 + 1}s`, ''])('refuses "%s"', (flag) => {
    expect(() => toDrainDelayMs(flag)).toThrowWithCode('CONFIG_INVALID_FLAG', { instanceOf: ConfigError });
  });
});
