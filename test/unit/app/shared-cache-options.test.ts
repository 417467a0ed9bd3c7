// The Valkey flags of serve: each refusal is a usage error naming the flag.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHARED_CACHE_KEY_PREFIX, toSharedCacheSettings } from '../../../src/app/shared-cache-options';
import { ConfigError } from '../../../src/errors';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-valkey-flags-'));
// file writes one test file and returns its path.
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const KEY_32 = file('key-32', Buffer.alloc(32, 0xab));
const KEY_NEWLINE = file('key-newline', `${'k'.repeat(32)}\n`);
const KEY_31_NEWLINE = file('key-31', `${'k'.repeat(31)}\n`);
const PASSWORD = file('password', 's3cret\n');
const EMPTY = file('empty', '\n');
const CA = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');

describe('toSharedCacheSettings', () => {
  it('is off without --valkey-url', () => {
    expect(toSharedCacheSettings({})).toBeUndefined();
  });

  it('reads the key as bytes, the password without its newline, and the CA', () => {
    expect(
      toSharedCacheSettings({
        valkeyUrl: 'rediss://valkey.portcullis.svc:6380',
        valkeyHmacKeyFile: KEY_32,
        valkeyPasswordFile: PASSWORD,
        valkeyCaFile: CA,
      }),
    ).toEqual({
      url: 'rediss://valkey.portcullis.svc:6380',
      hmacKey: Buffer.alloc(32, 0xab),
      keyPrefix: SHARED_CACHE_KEY_PREFIX,
      password: 's3cret',
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
    });
  });

  it('drops one trailing newline from the key file', () => {
    expect(
      toSharedCacheSettings({ valkeyUrl: 'redis://v', valkeyHmacKeyFile: KEY_NEWLINE })?.hmacKey,
    ).toEqual(Buffer.from('k'.repeat(32)));
  });

  it.each([
    [
      'a Valkey flag without --valkey-url',
      { valkeyHmacKeyFile: KEY_32 },
      '--valkey-hmac-key-file needs --valkey-url',
    ],
    ['--valkey-url without a key', { valkeyUrl: 'redis://v' }, '--valkey-url needs --valkey-hmac-key-file'],
    [
      'a short key',
      { valkeyUrl: 'redis://v', valkeyHmacKeyFile: KEY_31_NEWLINE },
      'the key is 31 bytes; at least 32',
    ],
    [
      'an http URL',
      { valkeyUrl: 'http://v', valkeyHmacKeyFile: KEY_32 },
      '--valkey-url: the Valkey URL must use',
    ],
    [
      'a password in the URL',
      { valkeyUrl: 'redis://u:p@v', valkeyHmacKeyFile: KEY_32 },
      'must not hold a password',
    ],
    [
      'a metadata address',
      { valkeyUrl: 'redis://169.254.169.254', valkeyHmacKeyFile: KEY_32 },
      '--valkey-url: 169.254.169.254',
    ],
    [
      'an empty password file',
      { valkeyUrl: 'redis://v', valkeyHmacKeyFile: KEY_32, valkeyPasswordFile: EMPTY },
      'the file is empty',
    ],
    [
      'a CA without TLS',
      { valkeyUrl: 'redis://v', valkeyHmacKeyFile: KEY_32, valkeyCaFile: CA },
      'needs a rediss://',
    ],
    [
      'a CA file without a certificate',
      { valkeyUrl: 'rediss://v', valkeyHmacKeyFile: KEY_32, valkeyCaFile: PASSWORD },
      'no PEM certificate',
    ],
  ])('refuses %s', (_name, flags, message) => {
    expect(() => toSharedCacheSettings(flags)).toThrowWithCode('CONFIG_INVALID_FLAG', {
      instanceOf: ConfigError,
      message,
    });
  });

  it('says which key file it cannot read', () => {
    expect(() =>
      toSharedCacheSettings({ valkeyUrl: 'redis://v', valkeyHmacKeyFile: join(dir, 'missing') }),
    ).toThrowWithCode('CONFIG_FILE_UNREADABLE', { message: '--valkey-hmac-key-file' });
  });
});
