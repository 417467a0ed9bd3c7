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

  test('a long pinned reference is shortened in a warning, so that what happened is not cut off', () => {
    const image = `registry.example.com/platform-team/services/payments-gateway-reconciler@${'sha256:'.padEnd(71, 'a')}`;
    const p = fakePolicy({
      name: 'release-signed-images-for-the-payments-platform',
      registry: ALLOW_ON_ERROR,
    });
    const stale = {
      authority: 'release-manager',
      ok: true as const,
      summary: 's',
      warnings: ['registry down; last verified 20m ago'],
    };
    const d = decide(request(), [
      facts(
        [p],
        { 'ClusterImagePolicy/release-signed-images-for-the-payments-platform': [stale] },
        { image },
      ),
    ]);
    expect(d.allowed).toBe(true);
    expect(d.warnings[0]?.length).toBeLessThanOrEqual(256);
    expect(d.warnings[0]).toMatch(/authority "release-manager": registry down; last verified 20m ago$/);
    expect(d.warnings[0]).toContain('payments-gateway-reconciler@sha256:aaaaaaaaaaaa...');
  });
});
