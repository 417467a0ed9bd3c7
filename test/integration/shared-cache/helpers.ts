// Builds a shared cache against a test Valkey with its own metrics registry and a log that the test can read.
import Valkey from 'iovalkey';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createSharedCache, type SharedCache } from '../../../src/shared-cache';

export interface TestCache {
  readonly cache: SharedCache;
  readonly registry: Registry;
  readonly hmacKey: Buffer;
  /** Every log line written so far, parsed. */
  logs(): Record<string, unknown>[];
  /** The value of one counter series (0 when absent). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

export const PREFIX = 'it';

/** A cache on `url`, connected (or after 5 s, not) before it is returned. */
export async function newCache(
  url: string,
  options: { password?: string; ca?: string; hmacKey?: Buffer; wait?: boolean } = {},
): Promise<TestCache> {
  const registry = new Registry();
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
  const hmacKey = options.hmacKey ?? randomBytes(32);
  const cache = createSharedCache({
    url,
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    hmacKey,
    keyPrefix: PREFIX,
    logger,
    metrics: registry,
  });
  if (options.wait !== false) {
    const until = Date.now() + 5_000;
    while (!cache.connected() && Date.now() < until) await sleep(10);
  }
  return {
    cache,
    registry,
    hmacKey,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    metric: async (name, labels = {}) => {
      const metric = registry.getSingleMetric(name);
      if (metric === undefined) return 0;
      const { values } = await metric.get();
      const match = values.find((v) =>
        Object.entries(labels).every(
          ([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want,
        ),
      );
      return match?.value ?? 0;
    },
  };
}

/**
 * A plain client on the test server, to play the attacker or count. A closing socket is destroyed after 100 ms
 * (the client's default, 2 s, keeps jest waiting after the last test).
 */
export function rawClient(port: number, password?: string): Valkey {
  return new Valkey({
    host: '127.0.0.1',
    port,
    disconnectTimeout: 100,
    ...(password === undefined ? {} : { password }),
  });
}
