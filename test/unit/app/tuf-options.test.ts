// The TUF flags: accepted forms, and a usage error for each mistake (they run before any network access).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/errors';
import { toTufMirror } from '../../../src/app/tuf-options';
import { DEFAULT_TUF_REFRESH_INTERVAL_MS } from '../../../src/trust-roots/limits';

const PUBLIC_GOOD = 'https://tuf-repo-cdn.sigstore.dev';
const dir = mkdtempSync(join(tmpdir(), 'tuf-options-'));
const ROOT = join(dir, 'root.json');
writeFileSync(ROOT, JSON.stringify({ signed: { _type: 'root', version: 1 }, signatures: [] }));
const NOT_ROOT = join(dir, 'timestamp.json');
writeFileSync(NOT_ROOT, JSON.stringify({ signed: { _type: 'timestamp' } }));

describe('toTufMirror', () => {
  test('no --tuf-mirror: no refresh at all', () => {
    expect(toTufMirror({})).toBeUndefined();
  });

  test('the public-good mirror needs no --tuf-root; defaults for the rest', () => {
    expect(toTufMirror({ tufMirror: `${PUBLIC_GOOD}/` })).toEqual({
      url: PUBLIC_GOOD,
      refreshIntervalMs: DEFAULT_TUF_REFRESH_INTERVAL_MS,
    });
  });

  test('another mirror with its root, a cache folder (created) and an interval', () => {
    const cacheDir = join(dir, 'cache', 'tuf');
    expect(
      toTufMirror({
        tufMirror: 'http://127.0.0.1:8080/tuf',
        tufRoot: ROOT,
        tufCacheDir: cacheDir,
        tufRefreshInterval: '30m',
      }),
    ).toEqual({ url: 'http://127.0.0.1:8080/tuf', rootPath: ROOT, cacheDir, refreshIntervalMs: 30 * 60_000 });
  });

  test.each([
    ['90s', 90_000],
    ['6h', 6 * 3_600_000],
    ['7d', 7 * 86_400_000],
  ])('--tuf-refresh-interval %s', (value, ms) => {
    expect(toTufMirror({ tufMirror: PUBLIC_GOOD, tufRefreshInterval: value })?.refreshIntervalMs).toBe(ms);
  });

  test.each<[string, Parameters<typeof toTufMirror>[0], RegExp]>([
    ['a TUF flag without --tuf-mirror', { tufCacheDir: dir }, /--tuf-cache-dir needs --tuf-mirror/],
    [
      '--tuf-refresh-interval without --tuf-mirror',
      { tufRefreshInterval: '1h' },
      /--tuf-refresh-interval needs/,
    ],
    ['not a URL', { tufMirror: 'tuf-repo-cdn.sigstore.dev' }, /expects an http\(s\) URL/],
    ['another scheme', { tufMirror: 'file:///srv/tuf' }, /expects an http\(s\) URL/],
    [
      'credentials in the URL',
      { tufMirror: 'https://user:pw@tuf.example.test', tufRoot: ROOT },
      /no credentials/,
    ],
    ['a metadata address', { tufMirror: 'http://169.254.169.254/latest', tufRoot: ROOT }, /cloud metadata/],
    ['another mirror without --tuf-root', { tufMirror: 'https://tuf.example.test' }, /needs --tuf-root FILE/],
    ['a --tuf-root that is not a root', { tufMirror: PUBLIC_GOOD, tufRoot: NOT_ROOT }, /not a TUF root.json/],
    ['an interval too short', { tufMirror: PUBLIC_GOOD, tufRefreshInterval: '30s' }, /between 1m and 7d/],
    ['an interval too long', { tufMirror: PUBLIC_GOOD, tufRefreshInterval: '8d' }, /between 1m and 7d/],
    ['an interval without unit', { tufMirror: PUBLIC_GOOD, tufRefreshInterval: '3600' }, /like 1h/],
  ])('%s', (_name, flags, message) => {
    expect(() => toTufMirror(flags)).toThrowWithCode('CONFIG_INVALID_FLAG', {
      instanceOf: ConfigError,
      message,
    });
  });

  test('an unreadable --tuf-root, or a cache folder that cannot be made, is a file error', () => {
    expect(() => toTufMirror({ tufMirror: PUBLIC_GOOD, tufRoot: join(dir, 'missing.json') })).toThrowWithCode(
      'CONFIG_FILE_UNREADABLE',
    );
    expect(() =>
      toTufMirror({ tufMirror: PUBLIC_GOOD, tufCacheDir: join(ROOT, 'under-a-file') }),
    ).toThrowWithCode('CONFIG_FILE_UNREADABLE', { message: /--tuf-cache-dir/ });
  });
});
