import { parseTokenResponse } from '../../../src/registry/auth';
import { RegistryError } from '../../../src/registry/errors';
import { InsecureRegistries, isLoopbackHost, realmProblem } from '../../../src/registry/hosts';
import { MAX_RETRIES, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS } from '../../../src/registry/limits';
import { manifestPath, parseDigest, referrersFallbackTag } from '../../../src/registry/paths';
import { parseRetryAfter, retryDelay } from '../../../src/registry/http/retry';

const where = { registry: 'r.io', repository: 'a/b' };

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    ['120', 120_000],
    ['0', 0],
    ['Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['Tue, 31 Dec 2024 00:00:00 GMT', 0],
    ['-5', undefined],
    ['soon', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});

describe('retryDelay', () => {
  it.each([
    ['backoff with jitter', 1, undefined, 10_000, 0.5, RETRY_BASE_DELAY_MS],
    ['Retry-After that fits', 0, 1000, 10_000, 0.5, 1000],
    ['Retry-After past the deadline', 0, 20_000, 10_000, 0.5, undefined],
    ['Retry-After over the cap', 0, RETRY_MAX_DELAY_MS + 1, 60_000, 0.5, undefined],
    ['retries used up', MAX_RETRIES, undefined, 10_000, 0.5, undefined],
    ['no time left', 0, undefined, 100, 0.5, undefined],
  ])('%s', (_name, attempt, retryAfter, budget, random, expected) => {
    expect(retryDelay(attempt, retryAfter, 0, budget, () => random)).toBe(expected);
  });
});

describe('hosts', () => {
  it.each([
    ['localhost:5000', true],
    ['127.0.0.1', true],
    ['127.8.9.1:80', true],
    ['[::1]:5000', true],
    ['10.0.0.1', false],
    ['example.com', false],
  ])('isLoopbackHost(%s) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  const insecure = new InsecureRegistries(['insecure.example:5000']);
  it.each([
    ['https realm anywhere', 'https://auth.example/token', 'registry.example', undefined],
    ['https realm on link-local', 'https://169.254.1.1/', 'registry.example', 'link-local'],
    ['https realm on cloud metadata', 'https://169.254.169.254/', 'registry.example', 'cloud metadata'],
    [
      'http realm, secure registry',
      'http://auth.example/token',
      'registry.example',
      'not an insecure registry',
    ],
    [
      'http realm, same host of insecure registry',
      'http://insecure.example:9000/t',
      'insecure.example:5000',
      undefined,
    ],
    [
      'http realm, other host of insecure registry',
      'http://auth.example/t',
      'insecure.example:5000',
      'another host',
    ],
    [
      'http realm on loopback for a loopback registry',
      'http://localhost:9000/t',
      '127.0.0.1:5000',
      undefined,
    ],
    ['credentials in the realm URL', 'https://u:p@auth.example/t', 'registry.example', 'credentials'],
    ['ftp realm', 'ftp://auth.example/t', 'registry.example', 'not http'],
  ])('realmProblem: %s', (_name, realm, registry, problem) => {
    const got = realmProblem(new URL(realm), registry, insecure);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(problem);
  });
});

describe('paths', () => {
  it.each([
    [`sha256:${'a'.repeat(64)}`, true],
    [`sha512:${'b'.repeat(128)}`, true],
    [`sha256:${'A'.repeat(64)}`, false],
    [`sha256:${'a'.repeat(63)}`, false],
    [`md5:${'a'.repeat(32)}`, false],
    ['sha256:../../x', false],
  ])('parseDigest(%s) ok = %s', (digest, ok) => {
    expect(parseDigest(digest) !== undefined).toBe(ok);
  });

  it.each([
    ['a tag', 'v1.0', undefined],
    ['a digest', `sha256:${'a'.repeat(64)}`, undefined],
    ['a path traversal', '../../etc', 'REGISTRY_BAD_RESPONSE'],
    ['a query', 'v1?x=1', 'REGISTRY_BAD_RESPONSE'],
    ['a bad digest', 'sha256:zz', 'REGISTRY_BAD_RESPONSE'],
  ])('manifestPath with %s', (_name, reference, code) => {
    if (code === undefined) expect(() => manifestPath(where, reference)).not.toThrow();
    else expect(() => manifestPath(where, reference)).toThrowWithCode(code, { instanceOf: RegistryError });
  });

  it('refuses repository names outside the grammar', () => {
    expect(() => manifestPath({ registry: 'r.io', repository: 'a/../b' }, 'v1')).toThrowWithCode(
      'REGISTRY_BAD_RESPONSE',
      { instanceOf: RegistryError },
    );
  });

  it('cuts sha512 fallback tags to 64 hex characters', () => {
    const tag = referrersFallbackTag({ algorithm: 'sha512', hex: 'c'.repeat(128) });
    expect(tag).toBe(`sha512-${'c'.repeat(64)}`);
  });
});

describe('parseTokenResponse', () => {
  it.each([
    ['token', { token: 't1', expires_in: 300 }, { token: 't1', ttlSeconds: 300 }],
    ['access_token', { access_token: 't2' }, { token: 't2', ttlSeconds: 60 }],
    ['negative expiry → default', { token: 't3', expires_in: -1 }, { token: 't3', ttlSeconds: 60 }],
  ])('reads %s', (_name, body, expected) => {
    expect(parseTokenResponse(Buffer.from(JSON.stringify(body)), where)).toEqual(expected);
  });

  it.each([
    ['not JSON', 'nope'],
    ['no token', '{"expires_in": 5}'],
    ['a token with a newline', JSON.stringify({ token: 'a\r\nX-Evil: 1' })],
  ])('rejects %s with REGISTRY_BAD_RESPONSE', (_name, body) => {
    expect(() => parseTokenResponse(Buffer.from(body), where)).toThrowWithCode('REGISTRY_BAD_RESPONSE', {
      instanceOf: RegistryError,
    });
  });
});
