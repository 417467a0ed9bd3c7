import { compileLabelSelector } from '../../../src/policy/label-selector';
import { selectPolicies } from '../../../src/policy/match';
import { fakePolicy } from './helpers';

describe('compileLabelSelector', () => {
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
    expect(compileLabelSelector(selector as never).matches(labels)).toBe(expected);
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
    selectPolicies(all, image, ns, labels).map((p) => p.id);

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
