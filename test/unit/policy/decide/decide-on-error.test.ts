// registry.onError: allow in the pure decision: availability failures only, always with a warning.
import { decide } from '../../../../src/policy/decide/decide';
import { FAIL, facts, fakePolicy, request } from '../helpers';

const P = fakePolicy({ name: 'release-signed' });
const PID = 'ClusterImagePolicy/release-signed';
const ALLOW_ON_ERROR = { credentials: [], onError: 'allow', maxStalenessMs: 0 } as const;

describe('decide: registry.onError', () => {
  test('onError: allow admits an unreachable registry, with a warning saying why', () => {
    const p = fakePolicy({ name: 'release-signed', registry: ALLOW_ON_ERROR });
    const d = decide(request(), [
      facts(
        [p],
        {},
        {
          digest: undefined,
          resolveError: { code: 'ADMISSION_DEADLINE_EXCEEDED', reason: 'budget exhausted' },
        },
      ),
    ]);
    expect(d.allowed).toBe(true);
    expect(d.verified).toEqual([]);
    expect(d.warnings).toEqual([
      expect.stringMatching(
        /^\[policy ClusterImagePolicy\/release-signed\] image ".*" \(spec\.containers\[0\]\.image\): admitted WITHOUT verification \(registry\.onError: allow\): \[ADMISSION_DEADLINE_EXCEEDED\]/,
      ),
    ]);
  });

  test('onError: allow never covers auth or not-found errors', () => {
    const p = fakePolicy({ name: 'release-signed', registry: ALLOW_ON_ERROR });
    for (const code of ['REGISTRY_UNAUTHORIZED', 'REGISTRY_NOT_FOUND', 'REGISTRY_TIMEOUT_INVALID']) {
      const d = decide(request(), [
        facts([p], {}, { digest: undefined, resolveError: { code, reason: 'x' } }),
      ]);
      expect(d.allowed).toBe(false);
    }
  });

  test('onError: allow covers an unreachable signature store for an authority', () => {
    const p = fakePolicy({ name: 'release-signed', registry: ALLOW_ON_ERROR });
    const d = decide(request(), [facts([p], { [PID]: [FAIL('release-manager', 'REGISTRY_TIMEOUT')] })]);
    expect(d.allowed).toBe(true);
    expect(d.warnings[0]).toContain('admitted WITHOUT full verification');
    const strict = decide(request(), [facts([P], { [PID]: [FAIL('release-manager', 'REGISTRY_TIMEOUT')] })]);
    expect(strict.allowed).toBe(false);
  });
});
