import { connectValkey, toValkeyAddress } from './client';
import { SharedCacheError } from './errors';
import { Guard } from './guard';
import {
  MAX_SHARED_CACHE_PREFIX_CHARS,
  MIN_SHARED_CACHE_HMAC_KEY_BYTES,
  SHARED_CACHE_OP_TIMEOUT_MS,
} from './limits';
import { SharedCacheMetrics } from './metrics';
import { NegativeBudget } from './negative-budget';
import type { SharedCache, SharedCacheOptions } from './shared-cache.types';
import { SingleFlight } from './single-flight';
import { Store } from './store';

const PREFIX = new RegExp(`^[A-Za-z0-9._-]{1,${MAX_SHARED_CACHE_PREFIX_CHARS}}$`);

/**
 * Builds the shared cache and starts connecting in the background. Throws SharedCacheError
 * (`SHARED_CACHE_INVALID_OPTIONS`) for bad options only; a Valkey that is down, slow or refusing makes every
 * call fall back, never throw.
 */
export function createSharedCache(options: SharedCacheOptions): SharedCache {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const metrics = new SharedCacheMetrics(options.metrics);
  const client = connectValkey({
    address: toValkeyAddress(options.url),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    logger: options.logger,
    now,
  });
  let closed = false;
  const guard = new Guard({
    ready: () => !closed && client.status === 'ready',
    // A stalled server keeps the socket open: drop it (failing what waits on it) and reconnect.
    onTrip: () => client.disconnect(true),
    metrics,
    logger: options.logger,
    now,
  });
  const prefix = options.keyPrefix;
  const common = { guard, prefix, metrics, now };
  const store = new Store({
    ...common,
    client,
    hmacKey: Buffer.from(options.hmacKey),
    negatives: new NegativeBudget(now),
    logger: options.logger,
  });
  const flights = new SingleFlight({ ...common, client, store });
  return {
    get: (kind, key, bounds) => store.get(kind, key, bounds),
    set: (kind, key, value, ttlMs, bounds) => store.set(kind, key, value, ttlMs, bounds),
    singleFlight: (key, deadline, run, signal) => flights.run(key, deadline, run, signal),
    connected: () => !closed && client.status === 'ready',
    close: async () => {
      if (closed) return;
      closed = true;
      // QUIT politely if connected, bounded; otherwise (or if QUIT did not finish) drop the socket and stop
      // reconnecting. The client then destroys a socket that does not close within its disconnect timeout.
      if (client.status === 'ready') {
        await Promise.race([
          client.quit().catch(() => undefined),
          new Promise((r) => setTimeout(r, SHARED_CACHE_OP_TIMEOUT_MS).unref()),
        ]);
      }
      if (client.status !== 'end') client.disconnect(false);
    },
  };
}

// checkOptions refuses options that would make the cache unsafe or its keys ambiguous.
function checkOptions(options: SharedCacheOptions): void {
  if (options.hmacKey.length < MIN_SHARED_CACHE_HMAC_KEY_BYTES) {
    throw new SharedCacheError(
      'SHARED_CACHE_INVALID_OPTIONS',
      `the shared-cache HMAC key must be at least ${MIN_SHARED_CACHE_HMAC_KEY_BYTES} bytes, not ${options.hmacKey.length}`,
    );
  }
  if (!PREFIX.test(options.keyPrefix)) {
    throw new SharedCacheError(
      'SHARED_CACHE_INVALID_OPTIONS',
      `the shared-cache key prefix must be 1-${MAX_SHARED_CACHE_PREFIX_CHARS} of A-Z a-z 0-9 . _ -`,
    );
  }
}
