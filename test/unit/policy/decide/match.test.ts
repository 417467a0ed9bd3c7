import { compileLabelSelector } from '../../../../src/policy/decide/label-selector';
import { selectPolicies, unjudgedSelectorNotes } from '../../../../src/policy/decide/match';
import {
  NAMESPACE_NAME_LABEL,
  toNamespaceLabelFacts,
  type NamespaceLabelFacts,
} from '../../../../src/policy/decide/namespace-labels';
import { fakePolicy } from '../helpers';

// known: every label of the namespace is known (cluster mode, or an entry in --namespace-labels).
const known = (labels: Record<string, string>): NamespaceLabelFacts => ({ labels, complete: true });
// nameOnly: outside a cluster with no entry for the namespace, only its name label is known.
const nameOnly = (namespace: string): NamespaceLabelFacts => toNamespaceLabelFacts(namespace, undefined);

describe('compileLabelSelector with every label known', () => {
  test.each([
    ['empty selects all', {}, { a: '1' }, true],
    ['matchLabels equal', { matchLabels: { env: 'prod' } }, { env: 'prod', x: 'y' }, true],
    ['matchLabels differ', { matchLabels: { env: 'prod' } }, { env: 'dev' }, false],
    ['matchLabels missing', { matchLabels: { env: 'prod' } }, {}, false],
    [
      'In matches',
      { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'stage'] }] },
      { env: 'stage' },
      true,
    ],
    ['In absent label', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] }, {}, false],
    [
      'NotIn other value',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      { env: 'prod' },
      true,
    ],
    [
      'NotIn absent label',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      {},
      true,
    ],
    [
      'NotIn listed value',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      { env: 'dev' },
      false,
    ],
    ['Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, { team: '' }, true],
    ['Exists absent', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, {}, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] }, { a: 'b' }, true],
    [
      'DoesNotExist present',
      { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
      { skip: 'true' },
      false,
    ],
    [
      'labels AND expressions',
      { matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
      { env: 'prod', skip: '1' },
      false,
    ],
    [
      'inherited names are not labels',
      { matchExpressions: [{ key: 'toString', operator: 'Exists' }] },
      {},
      false,
    ],
  ] as const)('%s', (_n, selector, labels, expected) => {
    expect(compileLabelSelector(selector as never).judge(known(labels))).toBe(
      expected ? 'match' : 'no-match',
    );
  });
});

describe('compileLabelSelector with only the name label known', () => {
  const NAME = NAMESPACE_NAME_LABEL;
  test.each([
    ['empty selects all', {}, 'match'],
    ['name label equal', { matchLabels: { [NAME]: 'prod' } }, 'match'],
    ['name label differs', { matchLabels: { [NAME]: 'dev' } }, 'no-match'],
    ['name In', { matchExpressions: [{ key: NAME, operator: 'In', values: ['stage', 'prod'] }] }, 'match'],
    ['name NotIn', { matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['prod'] }] }, 'no-match'],
    ['name Exists', { matchExpressions: [{ key: NAME, operator: 'Exists' }] }, 'match'],
    ['name DoesNotExist', { matchExpressions: [{ key: NAME, operator: 'DoesNotExist' }] }, 'no-match'],
    ['another key', { matchLabels: { team: 'payments' } }, 'unknown'],
    ['another key Exists', { matchExpressions: [{ key: 'team', operator: 'Exists' }] }, 'unknown'],
    [
      'another key DoesNotExist',
      { matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] },
      'unknown',
    ],
    [
      'another key NotIn',
      { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      'unknown',
    ],
    ['name matches, another key unknown', { matchLabels: { [NAME]: 'prod', team: 'payments' } }, 'unknown'],
    [
      'the name rules it out whatever the rest',
      { matchLabels: { [NAME]: 'dev', team: 'payments' } },
      'no-match',
    ],
    [
      'an expression on the name rules it out',
      {
        matchLabels: { team: 'payments' },
        matchExpressions: [{ key: NAME, operator: 'NotIn', values: ['prod'] }],
      },
      'no-match',
    ],
  ] as const)('%s', (_n, selector, expected) => {
    expect(compileLabelSelector(selector as never).judge(nameOnly('prod'))).toBe(expected);
  });

  test('with the labels complete, a missing key is simply absent', () => {
    const facts = toNamespaceLabelFacts('prod', {});
    expect(compileLabelSelector({ matchLabels: { team: 'payments' } }).judge(facts)).toBe('no-match');
    expect(
      compileLabelSelector({ matchExpressions: [{ key: 'skip', operator: 'DoesNotExist' }] }).judge(facts),
    ).toBe('match');
  });
});

describe('toNamespaceLabelFacts', () => {
  test('no label source: only the name label, incomplete', () => {
    expect(toNamespaceLabelFacts('prod', undefined)).toEqual({
      labels: { [NAMESPACE_NAME_LABEL]: 'prod' },
      complete: false,
    });
  });

  test('known labels: complete, and the name label added when absent', () => {
    const source = { team: 'payments' };
    expect(toNamespaceLabelFacts('prod', source)).toEqual({
      labels: { team: 'payments', [NAMESPACE_NAME_LABEL]: 'prod' },
      complete: true,
    });
    expect(source).toEqual({ team: 'payments' });
  });

  test('the name label is the namespace, whatever a source says', () => {
    expect(toNamespaceLabelFacts('prod', { [NAMESPACE_NAME_LABEL]: 'dev' }).labels).toEqual({
      [NAMESPACE_NAME_LABEL]: 'prod',
    });
  });
});

describe('selectPolicies', () => {
  const prodOnly = fakePolicy({
    name: 'prod',
    namespaceSelector: compileLabelSelector({ matchLabels: { env: 'prod' } }),
  });
  const everywhere = fakePolicy({ name: 'all' });
  const otherImages = fakePolicy({ name: 'other', globs: ['docker.io/library/*'] });
  const teamA = fakePolicy({ kind: 'ImagePolicy', name: 'a', namespace: 'team-a' });
  const teamB = fakePolicy({ kind: 'ImagePolicy', name: 'b', namespace: 'team-b' });
  const all = [prodOnly, everywhere, otherImages, teamA, teamB];
  const ids = (image: string, ns: string, labels: Record<string, string>) =>
    selectPolicies(all, { name: image, tagBound: true }, ns, toNamespaceLabelFacts(ns, labels)).map(
      (p) => p.id,
    );

  test('cluster policies by selector and images, plus ImagePolicies of the namespace only', () => {
    expect(ids('registry.example.com/team/app', 'team-a', { env: 'prod' })).toEqual([
      'ClusterImagePolicy/prod',
      'ClusterImagePolicy/all',
      'ImagePolicy/team-a/a',
    ]);
    expect(ids('registry.example.com/team/app', 'team-b', { env: 'dev' })).toEqual([
      'ClusterImagePolicy/all',
      'ImagePolicy/team-b/b',
    ]);
  });

  test('an ImagePolicy never reaches another namespace, whatever its labels', () => {
    expect(ids('registry.example.com/x', 'team-c', { env: 'prod' })).not.toContain('ImagePolicy/team-a/a');
  });

  test('images that no glob matches select nothing', () => {
    expect(ids('quay.io/x/y', 'team-a', { env: 'prod' })).toEqual([]);
    expect(ids('docker.io/library/nginx', 'team-a', {})).toEqual(['ClusterImagePolicy/other']);
  });
});

describe('selectPolicies when labels are unknown', () => {
  const teamOnly = fakePolicy({
    name: 'team-only',
    namespaceSelector: compileLabelSelector({ matchLabels: { team: 'payments' } }),
  });
  const prodByName = fakePolicy({
    name: 'prod-by-name',
    namespaceSelector: compileLabelSelector({ matchLabels: { [NAMESPACE_NAME_LABEL]: 'prod' } }),
  });
  const all = [teamOnly, prodByName];
  const ids = (ns: NamespaceLabelFacts, name: string) =>
    selectPolicies(all, { name: 'registry.example.com/team/app', tagBound: true }, name, ns).map((p) => p.id);

  test('a selector that cannot be judged makes its policy apply (the strict direction)', () => {
    expect(ids(nameOnly('dev'), 'dev')).toEqual(['ClusterImagePolicy/team-only']);
  });

  test('a selector on the name label is judged in every mode', () => {
    expect(ids(nameOnly('prod'), 'prod')).toEqual([
      'ClusterImagePolicy/team-only',
      'ClusterImagePolicy/prod-by-name',
    ]);
  });

  test('known labels decide', () => {
    expect(ids(toNamespaceLabelFacts('dev', { team: 'web' }), 'dev')).toEqual([]);
    expect(ids(toNamespaceLabelFacts('prod', { team: 'payments' }), 'prod')).toHaveLength(2);
  });
});

describe('unjudgedSelectorNotes', () => {
  const teamOnly = fakePolicy({
    name: 'team-only',
    namespaceSelector: compileLabelSelector({
      matchLabels: { team: 'payments' },
      matchExpressions: [{ key: 'tier', operator: 'Exists' }],
    }),
  });
  const prodByName = fakePolicy({
    name: 'prod-by-name',
    namespaceSelector: compileLabelSelector({ matchLabels: { [NAMESPACE_NAME_LABEL]: 'prod' } }),
  });
  const everywhere = fakePolicy({ name: 'all' });

  test('one note per policy that applies only because its selector could not be judged', () => {
    const notes = unjudgedSelectorNotes(
      [teamOnly, prodByName, everywhere, teamOnly],
      'prod',
      nameOnly('prod'),
    );
    expect(notes).toEqual([
      '[policy ClusterImagePolicy/team-only] applied to namespace "prod": its namespaceSelector needs labels ' +
        '"team", "tier", which are unknown outside a cluster (give --namespace-labels with an entry for "prod")',
    ]);
  });

  test('none when the labels are known', () => {
    expect(unjudgedSelectorNotes([teamOnly], 'prod', toNamespaceLabelFacts('prod', {}))).toEqual([]);
  });

  test('the namespace is quoted as input', () => {
    const [note] = unjudgedSelectorNotes([teamOnly], 'a"b', nameOnly('a"b'));
    expect(note).toContain('namespace "a\\"b"');
  });
});
