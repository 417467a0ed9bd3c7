// The cluster policy source over fake informers and a fake API: sync, recompiles, status, Secrets, retries.
import type { KubernetesObject, V1Namespace } from '@kubernetes/client-node';
import { ClusterPolicySource } from '../../../src/policy-sources/cluster';
import type { KubeClients } from '../../../src/kube/clients';
import { InformerLoop } from '../../../src/kube/informer-loop';
import { NamespaceLabels } from '../../../src/kube/namespace-labels';
import { KubeError } from '../../../src/kube/errors';
import type { PolicyResource } from '../../../src/kube/policy-objects';
import type { PolicyStatus } from '../../../src/policy';
import { clusterPolicy, namespacedPolicy, PEM } from '../policy/helpers';
import { apiError, captureLogger, fakeClients, recorder, until, type FakeInformer } from '../kube/fakes';

const CIP = '/apis/portcullis.dev/v1alpha1/clusterimagepolicies';
const IP = '/apis/portcullis.dev/v1alpha1/imagepolicies';

type Patch = { plural: string; name: string; namespace?: string; body: { status: PolicyStatus } };

// world is a fake API server holding policies, Secrets and ConfigMaps, recording status patches.
function world(
  policies: Record<string, PolicyResource[]>,
  secrets: Record<string, string> = {},
  configMaps: Record<string, Record<string, string>> = {},
) {
  let rv = 1;
  const stamp = (o: PolicyResource): PolicyResource => ({
    ...o,
    metadata: { ...o.metadata, uid: `uid-${o.metadata?.name}`, resourceVersion: String(rv++) },
  });
  const store: Record<string, PolicyResource[]> = Object.fromEntries(
    Object.entries(policies).map(([plural, list]) => [plural, list.map(stamp)]),
  );
  const patches: Patch[] = [];
  const patch = recorder(async (p: Patch) => {
    patches.push(p);
    return {};
  });
  const readNamespacedSecret = recorder(async ({ namespace, name }: { namespace: string; name: string }) => {
    const value = secrets[`${namespace}/${name}`];
    if (value === undefined) throw apiError(404, 'not found');
    return { type: 'Opaque', data: { 'cosign.pub': Buffer.from(value).toString('base64') } };
  });
  const readNamespacedConfigMap = recorder(
    async ({ namespace, name }: { namespace: string; name: string }) => {
      const data = configMaps[`${namespace}/${name}`];
      if (data === undefined) throw apiError(404, 'not found');
      return { data };
    },
  );
  const clients = fakeClients({
    custom: {
      listClusterCustomObject: (async ({ plural }: { plural: string }) => {
        const list = store[plural];
        if (!list) throw apiError(404, 'the server could not find the requested resource');
        return { items: list };
      }) as KubeClients['custom']['listClusterCustomObject'],
      patchClusterCustomObjectStatus:
        patch as unknown as KubeClients['custom']['patchClusterCustomObjectStatus'],
      patchNamespacedCustomObjectStatus:
        patch as unknown as KubeClients['custom']['patchNamespacedCustomObjectStatus'],
    },
    core: {
      readNamespacedSecret: readNamespacedSecret as unknown as KubeClients['core']['readNamespacedSecret'],
      readNamespacedConfigMap:
        readNamespacedConfigMap as unknown as KubeClients['core']['readNamespacedConfigMap'],
      readNamespacedServiceAccount: async () => ({}),
      listNamespace: async () => ({ items: [] }),
    },
  });
  const informer = (path: string): FakeInformer<KubernetesObject> => {
    const i = clients.informers.get(path);
    if (!i) throw new Error(`no informer for ${path}`);
    return i;
  };
  return { clients, store, patches, readNamespacedSecret, readNamespacedConfigMap, informer, stamp };
}

const badKey = clusterPolicy(
  { authorities: [{ name: 'k', cosign: { key: { data: 'not a key' } } }] },
  'broken',
);

describe('ClusterPolicySource', () => {
  let source: ClusterPolicySource | undefined;
  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });

  it('is ready only after both kinds were listed and compiled, then writes each Ready condition once', async () => {
    const w = world({
      clusterimagepolicies: [clusterPolicy({}, 'good') as PolicyResource, badKey as PolicyResource],
      imagepolicies: [namespacedPolicy() as PolicyResource],
    });
    source = new ClusterPolicySource({ clients: w.clients, logger: captureLogger().logger });
    expect(source.ready()).toBe(false);
    source.start();
    await source.whenReady();
    expect(source.ready()).toBe(true);
    expect(
      source
        .current()
        .policies.map((p) => p.id)
        .sort(),
    ).toEqual(['ClusterImagePolicy/good', 'ImagePolicy/team-a/team']);
    expect(source.current().broken.map((b) => b.policy.id)).toEqual(['ClusterImagePolicy/broken']);
    await until(() => w.patches.length === 3);
    const byName = Object.fromEntries(w.patches.map((p) => [p.name, p]));
    expect(byName.team).toMatchObject({ plural: 'imagepolicies', namespace: 'team-a' });
    const broken = byName.broken?.body.status.conditions?.[0];
    expect(broken).toMatchObject({ type: 'Ready', status: 'False', reason: 'POLICY_KEY_INVALID' });
    expect(broken?.message).toContain('spec.authorities[0].cosign.key.data');
    expect(byName.good?.body.status).toMatchObject({
      observedGeneration: 3,
      conditions: [{ status: 'True' }],
    });

    // Our own writes come back as update events: nothing more is written.
    for (const p of w.patches.splice(0)) {
      const plural = p.plural === 'imagepolicies' ? IP : CIP;
      const current = w.informer(plural).get(p.name, p.namespace) as PolicyResource;
      w.informer(plural).emit('update', w.stamp({ ...current, status: p.body.status }));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(w.patches).toHaveLength(0);
  });

  it('recompiles on change and deletion, and reads a policy key from its Secret', async () => {
    const w = world({ clusterimagepolicies: [], imagepolicies: [] }, { 'team-a/cosign': PEM });
    source = new ClusterPolicySource({ clients: w.clients, logger: captureLogger().logger });
    source.start();
    await source.whenReady();
    expect(source.current().policies).toHaveLength(0);
    const withSecret = namespacedPolicy({
      authorities: [{ name: 'k', cosign: { key: { secretRef: { name: 'cosign', key: 'cosign.pub' } } } }],
    }) as PolicyResource;
    w.informer(IP).emit('add', w.stamp(withSecret));
    await until(() => source?.current().policies.length === 1);
    expect(w.readNamespacedSecret.calls[0]?.[0]).toEqual({ namespace: 'team-a', name: 'cosign' });
    w.informer(IP).emit('delete', withSecret);
    await until(() => source?.current().policies.length === 0);
  });

  it('picks up a rotated Secret on the periodic refresh', async () => {
    const secrets: Record<string, string> = {};
    const w = world(
      {
        clusterimagepolicies: [
          clusterPolicy({
            authorities: [
              {
                name: 'k',
                cosign: { key: { secretRef: { name: 'c', namespace: 'sec', key: 'cosign.pub' } } },
              },
            ],
          }) as PolicyResource,
        ],
        imagepolicies: [],
      },
      secrets,
    );
    source = new ClusterPolicySource({
      clients: w.clients,
      logger: captureLogger().logger,
      secretRefreshMs: 50,
    });
    source.start();
    await source.whenReady();
    expect(
      source
        .current()
        .broken.map((b) => b.reason)
        .join(),
    ).toContain('Secret sec/c not found');
    secrets['sec/c'] = PEM;
    await until(() => source?.current().policies.length === 1);
  });

  it('reads the ConfigMaps keyless trusted roots name, again on each refresh, and never another namespace', async () => {
    const keyless = (configMapRef: Record<string, string>) => [
      {
        name: 'k',
        cosign: {
          keyless: { identities: [{ issuer: 'https://issuer.test' }], trustedRoot: { configMapRef } },
        },
      },
    ];
    const w = world(
      {
        clusterimagepolicies: [
          clusterPolicy({ authorities: keyless({ name: 'root', namespace: 'sigstore' }) }) as PolicyResource,
        ],
        imagepolicies: [
          namespacedPolicy({ authorities: keyless({ name: 'own' }) }) as PolicyResource,
          namespacedPolicy(
            { authorities: keyless({ name: 'other', namespace: 'sigstore' }) },
            'team-a',
            'sneaky',
          ) as PolicyResource,
        ],
      },
      {},
      { 'sigstore/root': { 'trusted_root.json': '{}' } },
    );
    source = new ClusterPolicySource({
      clients: w.clients,
      logger: captureLogger().logger,
      secretRefreshMs: 50,
    });
    source.start();
    await source.whenReady();
    const asked = () => new Set(w.readNamespacedConfigMap.calls.map(([p]) => `${p.namespace}/${p.name}`));
    expect(asked()).toEqual(new Set(['sigstore/root', 'team-a/own']));
    const before = w.readNamespacedConfigMap.calls.length;
    await until(() => w.readNamespacedConfigMap.calls.length >= before + 2);
    expect(asked()).toEqual(new Set(['sigstore/root', 'team-a/own']));
  });

  it('stays not ready while a CRD is missing, and logs what to check', async () => {
    const w = world({ clusterimagepolicies: [] });
    const { logger, lines } = captureLogger();
    source = new ClusterPolicySource({ clients: w.clients, logger });
    source.start();
    await until(() => lines().some((l) => l.includes('KUBE_SYNC_FAILED')));
    expect(source.ready()).toBe(false);
    expect(lines().find((l) => l.includes('KUBE_SYNC_FAILED'))).toContain(
      'is the imagepolicies.portcullis.dev CRD',
    );
  });
});

describe('InformerLoop', () => {
  it('restarts after a failed list and after a dropped watch', async () => {
    let fail = true;
    const clients = fakeClients();
    const changes = recorder(() => undefined);
    const loop = new InformerLoop<KubernetesObject>({
      resource: 'things',
      path: '/things',
      list: async () => {
        if (fail) throw apiError(500, 'etcd');
        return { items: [{ metadata: { name: 'a' } }] };
      },
      onChange: changes,
      clients,
      logger: captureLogger().logger,
    });
    loop.start();
    const informer = clients.informers.get('/things') as FakeInformer<KubernetesObject>;
    await until(() => informer.starts === 1);
    fail = false;
    await until(() => loop.listed(), 3000);
    expect(loop.items().map((o) => o.metadata?.name)).toEqual(['a']);
    informer.fail(new Error('socket hang up'));
    await until(() => informer.starts === 3, 3000);
    await loop.stop();
    expect(changes.calls.length).toBeGreaterThan(0);
  });
});

describe('NamespaceLabels', () => {
  it('serves labels from the informer, lists one namespace missing from it, and fails closed on errors', async () => {
    const all: V1Namespace[] = [{ metadata: { name: 'prod', labels: { env: 'prod' } } }];
    const listNamespace = recorder(async (param?: { fieldSelector?: string }) => {
      if (param?.fieldSelector === undefined) return { items: all };
      const name = param.fieldSelector.replace('metadata.name=', '');
      if (name === 'fresh') return { items: [{ metadata: { name, labels: { env: 'new' } } }] };
      if (name === 'gone') return { items: [] };
      throw apiError(500, 'etcd');
    });
    const clients = fakeClients({
      core: {
        readNamespacedSecret: async () => ({}),
        readNamespacedConfigMap: async () => ({}),
        readNamespacedServiceAccount: async () => ({}),
        listNamespace: listNamespace as unknown as KubeClients['core']['listNamespace'],
      },
    });
    const ns = new NamespaceLabels(clients, clients.core, captureLogger().logger);
    ns.start();
    await until(() => ns.ready());
    expect(ns.labelsOf('prod')).toEqual({ env: 'prod' });
    expect(ns.labelsOf('fresh')).toEqual({});
    expect(await ns.labelsFor('prod')).toEqual({ env: 'prod' });
    expect(await ns.labelsFor('fresh')).toEqual({ env: 'new' });
    expect(await ns.labelsFor('gone')).toEqual({});
    // A failure is not remembered: asked again, the namespace is listed again.
    for (let i = 0; i < 2; i++)
      await expect(ns.labelsFor('broken')).rejects.toThrowWithCode('KUBE_SYNC_FAILED', {
        instanceOf: KubeError,
      });
    expect(listNamespace.calls.map((c) => c[0]?.fieldSelector)).toEqual([
      undefined,
      'metadata.name=fresh',
      'metadata.name=gone',
      'metadata.name=broken',
      'metadata.name=broken',
    ]);
    await ns.stop();
  });
});
