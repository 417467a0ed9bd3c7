// A separate process that joins a cluster-wide single flight, for single-flight.test.ts (run with tsx).
// Env: VALKEY_URL, HMAC_KEY_HEX, FLIGHT_KEY, COUNTER_KEY, RUN_MS (how long run() takes; "hang" never returns),
// DEADLINE_MS (from "go"). Prints "ready" once connected, waits for "go" on stdin, prints one JSON line of its
// result ({ value, kind, source }) or { error }, then exits.
import Valkey from 'iovalkey';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { createSharedCache } from '../../../../src/shared-cache';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

// main connects, waits for the go line, runs the flight and reports.
async function main(): Promise<void> {
  const url = env('VALKEY_URL');
  const shared = createSharedCache({
    url,
    hmacKey: Buffer.from(env('HMAC_KEY_HEX'), 'hex'),
    keyPrefix: env('KEY_PREFIX'),
    logger: pino({ level: 'silent' }),
  });
  const raw = new Valkey(url, { disconnectTimeout: 100 });
  while (!shared.connected()) await sleep(10);
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.destroy();
  const runMs = env('RUN_MS');
  const result = await shared.singleFlight(
    env('FLIGHT_KEY'),
    Date.now() + Number(env('DEADLINE_MS')),
    async () => {
      await raw.incr(env('COUNTER_KEY'));
      process.stdout.write('running\n');
      if (runMs === 'hang') await new Promise(() => undefined);
      await sleep(Number(runMs));
      return { value: `verified by ${process.pid}`, kind: 'verdict', ttlMs: 60_000 };
    },
  );
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await shared.close();
  await raw.quit();
}

main().catch((error: unknown) => {
  process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
  process.exitCode = 1;
});
