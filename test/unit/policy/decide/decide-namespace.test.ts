// A ClusterImagePolicy applied because its namespaceSelector could not be judged says so in the decision's
// warnings (kubectl, verify and review print them), whatever the verdict.
import { decide } from '../../../../src/policy/decide/decide';
import { compileLabelSelector } from '../../../../src/policy/decide/label-selector';
import { toNamespaceLabelFacts } from '../../../../src/policy/decide/namespace-labels';
import { FAIL, OK, facts, fakePolicy, request } from '../helpers';

const teamOnly = fakePolicy({
  name: 'team-only',
  namespaceSelector: compileLabelSelector({ matchLabels: { team: 'payments' } }),
});
const NOTE =
  '[policy ClusterImagePolicy/team-only] applied to namespace "prod": its namespaceSelector needs label ' +
  '"team", which is unknown outside a cluster (give --namespace-labels with an entry for "prod")';

describe('decide: namespaceSelectors that could not be judged', () => {
  test.each([
    ['allowed', OK(), true],
    ['denied', FAIL(), false],
  ] as const)('the warning names the policy and the label (%s)', (_name, outcome, allowed) => {
    const d = decide(
      request({ namespace: 'prod', namespaceLabels: toNamespaceLabelFacts('prod', undefined) }),
      [facts([teamOnly], { [teamOnly.id]: [outcome] })],
    );
    expect(d.allowed).toBe(allowed);
    expect(d.warnings).toEqual([NOTE]);
  });

  test('one warning per policy, however many images it governs', () => {
    const image = facts([teamOnly], { [teamOnly.id]: [OK()] });
    const d = decide(
      request({ namespace: 'prod', namespaceLabels: toNamespaceLabelFacts('prod', undefined) }),
      [image, { ...image, field: 'spec.containers[1].image' }],
    );
    expect(d.warnings).toEqual([NOTE]);
  });

  test('no warning when the labels are known', () => {
    const d = decide(
      request({ namespace: 'prod', namespaceLabels: toNamespaceLabelFacts('prod', { team: 'payments' }) }),
      [facts([teamOnly], { [teamOnly.id]: [OK()] })],
    );
    expect(d.warnings).toEqual([]);
  });
});
