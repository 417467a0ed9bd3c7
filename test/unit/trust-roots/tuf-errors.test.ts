import { toTrustRootError } from '../../../src/trust-roots/tuf-errors';
import { TrustRootError } from '../../../src/trust-roots/errors';

const MIRROR = 'https://tuf.example.test';

// Stand-ins with the shapes @sigstore/tuf and tuf-js throw (their classes are not exported to us).
class TUFError extends Error {
  constructor(
    readonly code: string,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'TUFError';
  }
}
class DownloadHTTPError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}
class UnsignedMetadataError extends Error {}
class ExpiredMetadataError extends Error {}
class PersistError extends Error {}
const errno = (code: string, syscall: string, message: string): Error =>
  Object.assign(new Error(message), { code, syscall });
const fetchFailed = (cause: unknown): Error => new TypeError('fetch failed', { cause });

describe('toTrustRootError', () => {
  test.each<[string, unknown, string, RegExp]>([
    [
      'connection refused',
      fetchFailed(errno('ECONNREFUSED', 'connect', 'connect ECONNREFUSED 10.0.0.1:443')),
      'TRUST_ROOT_MIRROR_UNREACHABLE',
      /fetch failed: connect ECONNREFUSED/,
    ],
    [
      'DNS failure',
      fetchFailed(errno('ENOTFOUND', 'getaddrinfo', 'getaddrinfo ENOTFOUND tuf')),
      'TRUST_ROOT_MIRROR_UNREACHABLE',
      /ENOTFOUND/,
    ],
    [
      'fetch error rewrapped by tuf-js',
      new Error('TypeError: fetch failed'),
      'TRUST_ROOT_MIRROR_UNREACHABLE',
      /fetch failed/,
    ],
    [
      'HTTP 503',
      new DownloadHTTPError('Failed to download', 503),
      'TRUST_ROOT_MIRROR_UNREACHABLE',
      /Failed to download \(HTTP 503\)/,
    ],
    [
      'a request timeout',
      Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }),
      'TRUST_ROOT_MIRROR_UNREACHABLE',
      /timed out/,
    ],
    [
      'a bad signature, wrapped by @sigstore/tuf',
      new TUFError(
        'TUF_REFRESH_METADATA_ERROR',
        'error refreshing TUF metadata',
        new UnsignedMetadataError('targets was signed by 0/1 keys'),
      ),
      'TRUST_ROOT_TUF_REJECTED',
      /error refreshing TUF metadata: targets was signed by 0\/1 keys/,
    ],
    [
      'expired metadata',
      new ExpiredMetadataError('timestamp.json is expired'),
      'TRUST_ROOT_TUF_REJECTED',
      /expired/,
    ],
    [
      'metadata that is not JSON',
      new SyntaxError('Unexpected token'),
      'TRUST_ROOT_TUF_REJECTED',
      /Unexpected token/,
    ],
    [
      'no trusted_root.json target',
      new TUFError('TUF_FIND_TARGET_ERROR', 'target trusted_root.json not found'),
      'TRUST_ROOT_TUF_REJECTED',
      /not found/,
    ],
    [
      'an unwritable cache',
      errno('EACCES', 'mkdir', "EACCES: permission denied, mkdir '/cache'"),
      'TRUST_ROOT_CACHE_FAILED',
      /EACCES/,
    ],
    [
      'a cache write that failed',
      new PersistError('Failed to persist metadata'),
      'TRUST_ROOT_CACHE_FAILED',
      /persist/,
    ],
    [
      'no seed for the mirror',
      new TUFError('TUF_INIT_CACHE_ERROR', 'No root.json found for mirror'),
      'TRUST_ROOT_CACHE_FAILED',
      /No root.json/,
    ],
    ['something unknown', 'boom', 'TRUST_ROOT_TUF_REJECTED', /boom/],
  ])('%s', (_name, error, code, reason) => {
    const e = toTrustRootError(error, MIRROR);
    expect(e).toBeInstanceOf(TrustRootError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(new RegExp(`^TUF mirror ${MIRROR}: `));
    expect(e.message).toMatch(reason);
    expect(e.details).toEqual({ mirror: MIRROR });
  });

  test('a cause cycle ends, and a long reason is cut', () => {
    const a = new Error('x'.repeat(1000));
    (a as { cause?: unknown }).cause = a;
    const e = toTrustRootError(a, MIRROR);
    expect(e.message.length).toBeLessThan(500);
    expect(e.message.endsWith('…')).toBe(true);
  });
});
