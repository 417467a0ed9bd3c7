// What createSharedCache refuses before it connects anywhere, and how it reads a Valkey URL.
import pino from 'pino';
import { createSharedCache, SharedCacheError, toValkeyAddress } from '../../../src/shared-cache';

const base = { url: 'redis://127.0.0.1:1', keyPrefix: 'p', logger: pino({ level: 'silent' }) };

describe('createSharedCache', () => {
  it.each([
    ['an HMAC key shorter than 32 bytes', { ...base, hmacKey: Buffer.alloc(31, 1) }, 'at least 32 bytes'],
    ['an empty key prefix', { ...base, hmacKey: Buffer.alloc(32, 1), keyPrefix: '' }, 'key prefix'],
    ['a prefix with a colon', { ...base, hmacKey: Buffer.alloc(32, 1), keyPrefix: 'a:b' }, 'key prefix'],
    ['an http URL', { ...base, hmacKey: Buffer.alloc(32, 1), url: 'http://h' }, 'redis:// or rediss://'],
  ])('refuses %s', (_name, options, message) => {
    expect(() => createSharedCache(options)).toThrowWithCode('SHARED_CACHE_INVALID_OPTIONS', {
      instanceOf: SharedCacheError,
      message,
    });
  });
});

describe('toValkeyAddress', () => {
  it.each([
    ['redis://valkey', { host: 'valkey', port: 6379, db: 0, tls: false }],
    ['rediss://valkey.example.com:6380/2', { host: 'valkey.example.com', port: 6380, db: 2, tls: true }],
    [
      'redis://cache-user@10.0.0.5',
      { host: '10.0.0.5', port: 6379, db: 0, tls: false, username: 'cache-user' },
    ],
    ['redis://[::1]:7000', { host: '::1', port: 7000, db: 0, tls: false }],
  ])('%s', (url, expected) => {
    expect(toValkeyAddress(url)).toEqual(expected);
  });

  it.each([
    ['not a URL', 'valkey:6379', 'redis:// or rediss://'],
    ['a password in the URL', 'redis://user:secret@valkey', 'must not hold a password'],
    ['a query', 'redis://valkey?db=1', 'nothing else'],
    ['a path that is not a database', 'redis://valkey/cache', 'database number'],
  ])('refuses %s', (_name, url, message) => {
    expect(() => toValkeyAddress(url)).toThrowWithCode('SHARED_CACHE_INVALID_OPTIONS', { message });
  });
});
