// Status diffing: what makes a status write necessary, and why our own writes do not loop.
import { toPolicyStatus, type PolicyStatus } from '../../../src/policy';
import { PolicyError } from '../../../src/policy/errors';
import { describeApiError } from '../../../src/kube/errors';
import { statusChanged, statusFingerprint } from '../../../src/kube/status-diff';
import { apiError } from './fakes';
import { fakePolicy } from '../policy/helpers';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const T1 = new Date('2026-01-01T00:05:00.000Z');
const compiled = { policy: fakePolicy() };
const broken = {
  error: new PolicyError('POLICY_KEY_INVALID', 'bad key', {
    fieldErrors: [
      {
        path: 'spec.authorities[0].cosign.key.data',
        code: 'POLICY_KEY_INVALID',
        message: 'not a PEM public key',
      },
    ],
  }),
};

describe('statusChanged', () => {
  const ready = toPolicyStatus(3, compiled, T0);
  const cases: {
    name: string;
    current: PolicyStatus | undefined;
    desired: PolicyStatus;
    changed: boolean;
  }[] = [
    { name: 'no status yet', current: undefined, desired: ready, changed: true },
    { name: 'same status', current: ready, desired: toPolicyStatus(3, compiled, T1, ready), changed: false },
    {
      name: 'new generation',
      current: ready,
      desired: toPolicyStatus(4, compiled, T1, ready),
      changed: true,
    },
    {
      name: 'Ready flips to False',
      current: ready,
      desired: toPolicyStatus(3, broken, T1, ready),
      changed: true,
    },
    {
      name: 'condition order differs only',
      current: { ...ready, conditions: [...(ready.conditions ?? []), cond('Other')] },
      desired: { ...ready, conditions: [cond('Other'), ...(ready.conditions ?? [])] },
      changed: false,
    },
    {
      name: 'message differs',
      current: ready,
      desired: { ...ready, conditions: [{ ...(ready.conditions?.[0] ?? cond('Ready')), message: 'x' }] },
      changed: true,
    },
  ];
  it.each(cases)('$name → changed=$changed', ({ current, desired, changed }) => {
    expect(statusChanged(current, desired)).toBe(changed);
  });

  it('converges: the status we wrote, read back, needs no second write', () => {
    const first = toPolicyStatus(3, broken, T0, undefined);
    const readBack = JSON.parse(JSON.stringify(first)) as PolicyStatus; // as the API server returns it
    const second = toPolicyStatus(3, broken, T1, readBack);
    expect(statusChanged(readBack, second)).toBe(false);
  });

  it('names the broken field in the Ready condition it fingerprints', () => {
    const status = toPolicyStatus(3, broken, T0);
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'POLICY_KEY_INVALID', observedGeneration: 3 });
    expect(ready?.message).toContain('spec.authorities[0].cosign.key.data');
    expect(statusFingerprint(status)).toContain('spec.authorities[0].cosign.key.data');
  });
});

// cond builds a condition of another type (not ours to change).
function cond(type: string): NonNullable<PolicyStatus['conditions']>[number] {
  return { type, status: 'True', reason: 'X', message: 'm', lastTransitionTime: T0.toISOString() };
}

describe('describeApiError', () => {
  it.each([
    { error: apiError(403, 'secrets "x" is forbidden'), text: 'HTTP 403: secrets "x" is forbidden' },
    { error: Object.assign(new Error('x'), { statusCode: 410 }), text: 'HTTP 410' },
    {
      error: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }),
      text: 'fetch failed: connect ECONNREFUSED 127.0.0.1:1',
    },
    { error: 'just a string', text: 'just a string' },
    { error: 42, text: 'unknown error' },
  ])('$text', ({ error, text }) => {
    expect(describeApiError(error)).toBe(text);
  });
});
