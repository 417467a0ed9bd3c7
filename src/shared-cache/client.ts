// The one Valkey connection, configured so that it never holds a request: no offline queue, no retry of a
// command, a bounded connect, and reconnection with capped exponential backoff.
import Valkey from 'iovalkey';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { SharedCacheError } from './errors';
import {
  SHARED_CACHE_CONNECT_TIMEOUT_MS,
  SHARED_CACHE_DISCONNECT_TIMEOUT_MS,
  SHARED_CACHE_FALLBACK_LOG_INTERVAL_MS,
  SHARED_CACHE_RECONNECT_BASE_MS,
  SHARED_CACHE_RECONNECT_MAX_MS,
} from './limits';
import { errorLine, LogEvery } from './log-every';

/** Where Valkey is, from the URL. */
export interface ValkeyAddress {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly tls: boolean;
  readonly username?: string;
}

const DEFAULT_PORT = 6379;

/** Parses `redis://[user@]host[:port][/db]` or `rediss://…`; a password in the URL is refused (use a file). */
export function toValkeyAddress(url: string): ValkeyAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('the Valkey URL must be redis://host[:port][/db] or rediss://…');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw invalid(`the Valkey URL must use redis:// or rediss://, not ${parsed.protocol}//`);
  }
  if (parsed.password !== '') throw invalid('the Valkey URL must not hold a password (give it in a file)');
  if (parsed.search !== '' || parsed.hash !== '' || parsed.hostname === '') {
    throw invalid('the Valkey URL takes a host, an optional port and database number, nothing else');
  }
  const dbText = parsed.pathname.replace(/^\//, '');
  if (!/^(\d{1,2})?$/.test(dbText)) throw invalid('the Valkey URL path must be a database number (/0 … /99)');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
    db: dbText === '' ? 0 : Number(dbText),
    tls: parsed.protocol === 'rediss:',
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
  };
}

// invalid builds the options error of a bad URL.
function invalid(message: string): SharedCacheError {
  return new SharedCacheError('SHARED_CACHE_INVALID_OPTIONS', message);
}

/** Opens the connection (in the background: commands fall back until it is ready). */
export function connectValkey(options: {
  address: ValkeyAddress;
  username?: string;
  password?: string;
  ca?: string;
  logger: Logger;
  now: () => number;
}): Valkey {
  const { address, logger } = options;
  const username = options.username ?? address.username;
  const client = new Valkey({
    host: address.host,
    port: address.port,
    db: address.db,
    ...(username === undefined ? {} : { username }),
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(address.tls
      ? {
          tls: {
            // SNI takes a name only; an IP address is still checked against the certificate's IP SANs.
            ...(isIP(address.host) === 0 ? { servername: address.host } : {}),
            ...(options.ca === undefined ? {} : { ca: options.ca }),
          },
        }
      : {}),
    connectTimeout: SHARED_CACHE_CONNECT_TIMEOUT_MS,
    disconnectTimeout: SHARED_CACHE_DISCONNECT_TIMEOUT_MS,
    // A command sent while disconnected fails at once instead of waiting in a queue for a reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    retryStrategy: (times: number) =>
      Math.min(SHARED_CACHE_RECONNECT_MAX_MS, SHARED_CACHE_RECONNECT_BASE_MS * 2 ** Math.min(times - 1, 16)),
  });
  const logs = new LogEvery(SHARED_CACHE_FALLBACK_LOG_INTERVAL_MS, options.now);
  // Without an 'error' listener a refused connection would crash the process; log it, rate-limited.
  client.on('error', (error: unknown) => {
    if (logs.due('error')) {
      logger.warn(
        { valkey: `${address.host}:${address.port}`, error: errorLine(error) },
        'shared cache (Valkey) connection error; reconnecting with backoff',
      );
    }
  });
  client.on('ready', () =>
    logger.info({ valkey: `${address.host}:${address.port}` }, 'shared cache (Valkey) connected'),
  );
  return client;
}
