// Metric labels stay bounded whatever a pod or a forged AdmissionReview names: registry hosts only as the
// loaded policies name them, and free-text labels (kind, namespace) capped at MAX_LABEL_VALUES distinct values.
import type { PolicySnapshot } from '../../../src/policy-sources/snapshot';
import { MAX_LABEL_VALUES } from '../../../src/observability/limits';
import { Metrics, OTHER_LABEL } from '../../../src/observability/metrics';
import { knownRegistryHosts, RegistryLabels } from '../../../src/observability/registry-label';
import { compilePolicies } from '../../../src/policy';
import { clusterPolicy, PEM, secretsOf } from '../policy/helpers';

// snapshotOf compiles one ClusterImagePolicy per glob list, plus optional Notary servers.
function snapshotOf(globs: string[], notaryServers: string[] = []): PolicySnapshot {
  const authorities = [
    { name: 'key', cosign: { key: { data: PEM } } },
    ...notaryServers.map((server, i) => ({
      name: `notary-${i}`,
      notaryV1: { server, rootKeys: [PEM] },
    })),
  ];
  const snapshot = compilePolicies(
    [clusterPolicy({ images: globs.map((glob) => ({ glob })), authorities })],
    {
      secrets: secretsOf(),
    },
  );
  expect(snapshot.broken).toEqual([]);
  return snapshot;
}

// seriesOf lists the label sets a counter holds.
async function seriesOf(counter: { get(): Promise<{ values: { labels: object }[] }> }) {
  return (await counter.get()).values.map((v) => v.labels as Record<string, string>);
}

describe('knownRegistryHosts', () => {
  it.each([
    ['a literal host', ['registry.example.com/team/**'], ['registry.example.com']],
    ['a host with a port', ['localhost:5000/app'], ['localhost:5000']],
    ['Docker Hub shorthand', ['nginx', 'team/**'], ['docker.io']],
    ['index.docker.io', ['index.docker.io/library/nginx'], ['docker.io']],
    ['upper-case host', ['Registry.Example.com/app'], ['registry.example.com']],
    ['a wildcard host', ['*.example.com/**'], []],
    ['every image', ['**'], []],
  ])('%s', (_name, globs, hosts) => {
    expect([...knownRegistryHosts(snapshotOf(globs))].sort()).toEqual(hosts);
  });

  it('adds the hosts of Notary servers', () => {
    const hosts = knownRegistryHosts(snapshotOf(['**'], ['https://notary.example.com:4443']));
    expect([...hosts]).toEqual(['notary.example.com:4443']);
  });
});

describe('RegistryLabels', () => {
  it('labels known hosts by name and every other host as other, following policy reloads', () => {
    let current = snapshotOf(['registry.example.com/**']);
    const labels = new RegistryLabels(() => current);
    expect(labels.label('registry.example.com')).toBe('registry.example.com');
    expect(labels.label('evil.example')).toBe(OTHER_LABEL);
    current = snapshotOf(['evil.example/**']);
    expect(labels.label('evil.example')).toBe('evil.example');
    expect(labels.label('registry.example.com')).toBe(OTHER_LABEL);
  });

  it('derives the known hosts once per snapshot, not per request', () => {
    const snapshot = snapshotOf(['registry.example.com/**']);
    const [policy] = snapshot.policies;
    let reads = 0;
    const counted: PolicySnapshot = {
      broken: [],
      policies: [
        Object.defineProperty({ ...policy }, 'images', {
          get: () => {
            reads += 1;
            return policy?.images;
          },
        }),
      ] as PolicySnapshot['policies'],
    };
    const labels = new RegistryLabels(() => counted);
    for (let i = 0; i < 100; i++) labels.label(`host-${i}.example`);
    expect(reads).toBe(1);
  });
});

describe('Metrics label bounds', () => {
  it.each([
    [
      'registry',
      (m: Metrics, v: string) => m.registryRequests.inc({ registry: v, outcome: '2xx' }),
      'registryRequests',
    ],
    [
      'kind',
      (m: Metrics, v: string) => m.admissionRequests.inc({ operation: 'CREATE', kind: v, decision: 'deny' }),
      'admissionRequests',
    ],
    ['namespace', (m: Metrics, v: string) => m.breakGlass.inc({ namespace: v }), 'breakGlass'],
  ] as const)(
    'the %s label keeps MAX_LABEL_VALUES values, then counts new ones as other',
    async (label, inc, name) => {
      const metrics = new Metrics();
      for (let i = 0; i < MAX_LABEL_VALUES + 500; i++) inc(metrics, `value-${i}`);
      inc(metrics, 'value-0');
      const series = await seriesOf(metrics[name]);
      expect(series).toHaveLength(MAX_LABEL_VALUES + 1);
      const values = series.map((s) => s[label]);
      expect(values).toContain(OTHER_LABEL);
      expect(values).toContain('value-0');
      expect(values).not.toContain(`value-${MAX_LABEL_VALUES}`);
    },
  );

  it('bounds labels() as well as inc()', async () => {
    const metrics = new Metrics();
    for (let i = 0; i < MAX_LABEL_VALUES + 10; i++) metrics.breakGlass.labels(`ns-${i}`).inc();
    for (let i = 0; i < 10; i++) metrics.breakGlass.labels({ namespace: `other-ns-${i}` }).inc();
    expect(await seriesOf(metrics.breakGlass)).toHaveLength(MAX_LABEL_VALUES + 1);
  });
});
