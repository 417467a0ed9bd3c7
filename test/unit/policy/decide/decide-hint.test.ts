// The hint closing a denial matches the authority's kind: a keyless authority is not told to use a key.
import { decide } from '../../../../src/policy/decide/decide';
import type { Decision } from '../../../../src/policy/decide/decision.types';
import { FAIL, facts, fakePolicy, request } from '../helpers';

const PID = 'ClusterImagePolicy/release-signed';

// lastLine is the hint line of a denial message.
const lastLine = (d: Decision) => (d.message ?? '').split('\n').pop() ?? '';

describe('decide: hints', () => {
  test('a failing keyless authority gets a keyless hint, not one about a key', () => {
    const keyless = fakePolicy({
      name: 'release-signed',
      authorities: [
        {
          kind: 'cosign',
          referenceBound: false,
          name: 'ci',
          keys: [],
          keyless: { identities: [], trustedRoot: { kind: 'public-good' } },
          tlog: { required: true, rekorKeys: [] },
          attestations: [],
        },
      ],
    });
    const d = decide(request(), [facts([keyless], { [PID]: [FAIL('ci', 'VERIFY_IDENTITY_MISMATCH')] })]);
    expect(lastLine(d)).toMatch(
      /^hint: sign the image keylessly as an identity that authority "ci" accepts \(cosign sign registry\.example\.com\/team\/app@sha256:/,
    );
    expect(lastLine(d)).not.toContain('--key');
  });
});
