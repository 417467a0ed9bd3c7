// What the decision keeps per image for the CLI's JSON report: the digest (on denials too), what each
// authority said (code and reason, or summary and signer), and hints without break-glass outside a cluster.
import { decide } from '../../../../src/policy/decide/decide';
import type { AuthorityOutcome } from '../../../../src/policy/decide/decision.types';
import { DIGEST, FAIL, facts, fakePolicy, request } from '../helpers';

const P = fakePolicy({ name: 'release-signed' });
const PID = 'ClusterImagePolicy/release-signed';

describe('decide: per-image report', () => {
  test('a pass keeps the digest and the signer that verified', () => {
    const signed: AuthorityOutcome = {
      authority: 'release-manager',
      ok: true,
      summary: 'signed',
      warnings: [],
      signer: { kind: 'key', key: 'sha256:abcd' },
    };
    const d = decide(request(), [facts([P], { [PID]: [signed] })]);
    expect(d.images[0]).toMatchObject({
      digest: DIGEST,
      verdicts: [{ policyId: PID, authorities: [signed] }],
    });
  });

  test('a denial keeps the resolved digest and each authority code and reason', () => {
    const d = decide(request(), [facts([P], { [PID]: [FAIL()] })]);
    expect(d.allowed).toBe(false);
    expect(d.images[0]?.digest).toBe(DIGEST);
    expect(d.images[0]?.verdicts[0]?.authorities).toEqual([FAIL()]);
  });

  test('a failed resolution is the image error, with no digest', () => {
    const resolveError = { code: 'REGISTRY_NOT_FOUND', reason: 'manifest unknown' };
    const d = decide(request(), [facts([P], {}, { digest: undefined, resolveError })]);
    expect(d.images[0]?.digest).toBeUndefined();
    expect(d.images[0]?.error).toEqual(resolveError);
  });

  test('outside a cluster the hint does not suggest break-glass; in a cluster it does', () => {
    const image = [facts([P], { [PID]: [FAIL()] })];
    const hint = (outsideCluster: boolean) =>
      decide(request({ outsideCluster }), image).message?.split('\n').pop() ?? '';
    expect(hint(false)).toContain('break-glass');
    expect(hint(true)).toMatch(/^hint: sign the image/);
    expect(hint(true)).not.toContain('break-glass');
  });
});
