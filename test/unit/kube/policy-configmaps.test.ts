// ConfigMaps that policies name (keyless trustedRoot.configMapRef): which are read, how, and what is kept.
import type { V1ConfigMap } from '@kubernetes/client-node';
import { configMapData, MAX_CONFIGMAP_BYTES, type ConfigMapReader } from '../../../src/kube/configmaps';
import {
  collectConfigMapRefs,
  MAX_POLICY_CONFIGMAPS,
  type PolicyResource,
} from '../../../src/kube/policy-objects';
import { PolicyConfigMapCache } from '../../../src/kube/policy-secrets';
import { clusterPolicy, namespacedPolicy } from '../policy/helpers';
import { apiError, captureLogger, recorder } from './fakes';

const keyless = (configMapRef: unknown) => [
  {
    name: 'k',
    cosign: { keyless: { identities: [{ issuer: 'https://i.test' }], trustedRoot: { configMapRef } } },
  },
];

describe('collectConfigMapRefs', () => {
  it.each([
    [
      'a cluster policy with a namespace',
      [clusterPolicy({ authorities: keyless({ name: 'r', namespace: 'sig' }) })],
      ['sig/r'],
    ],
    [
      'a cluster policy without one (invalid: not fetched)',
      [clusterPolicy({ authorities: keyless({ name: 'r' }) })],
      [],
    ],
    [
      'an ImagePolicy: its own namespace by default',
      [namespacedPolicy({ authorities: keyless({ name: 'r' }) })],
      ['team-a/r'],
    ],
    [
      "an ImagePolicy naming another namespace's (never fetched)",
      [namespacedPolicy({ authorities: keyless({ name: 'r', namespace: 'kube-system' }) })],
      [],
    ],
    [
      'inline data only',
      [clusterPolicy({ authorities: [{ name: 'k', cosign: { keyless: { trustedRoot: { data: '{}' } } } }] })],
      [],
    ],
    ['garbage where the ref should be', [clusterPolicy({ authorities: keyless('r') })], []],
    [
      'the same ConfigMap twice, sorted',
      [
        clusterPolicy({ authorities: keyless({ name: 'z', namespace: 'sig' }) }, 'a'),
        clusterPolicy({ authorities: keyless({ name: 'r', namespace: 'sig' }) }, 'b'),
        clusterPolicy({ authorities: keyless({ name: 'z', namespace: 'sig' }) }, 'c'),
      ],
      ['sig/r', 'sig/z'],
    ],
  ])('%s', (_name, objs, refs) => {
    expect(collectConfigMapRefs(objs as PolicyResource[]).map((r) => `${r.namespace}/${r.name}`)).toEqual(
      refs,
    );
  });

  it(`reads at most ${MAX_POLICY_CONFIGMAPS} ConfigMaps`, () => {
    const objs = Array.from({ length: MAX_POLICY_CONFIGMAPS + 5 }, (_v, i) =>
      clusterPolicy({ authorities: keyless({ name: `r${i}`, namespace: 'sig' }) }, `p${i}`),
    );
    expect(collectConfigMapRefs(objs as PolicyResource[])).toHaveLength(MAX_POLICY_CONFIGMAPS);
  });
});

describe('configMapData', () => {
  it('merges data and decoded binaryData', () => {
    const cm: V1ConfigMap = {
      data: { a: 'x' },
      binaryData: { b: Buffer.from('{"y":1}').toString('base64') },
    };
    expect(configMapData(cm)).toEqual({ a: 'x', b: '{"y":1}' });
    expect(configMapData({})).toEqual({});
  });

  it(`ignores a ConfigMap over ${MAX_CONFIGMAP_BYTES} bytes`, () => {
    expect(configMapData({ data: { a: 'x'.repeat(MAX_CONFIGMAP_BYTES), b: 'y' } })).toBeUndefined();
  });
});

describe('PolicyConfigMapCache', () => {
  it('reads, notices a change on refresh, keeps the last contents when a read fails, forgets when deleted', async () => {
    const store = new Map<string, V1ConfigMap>([['sig/r', { data: { 'trusted_root.json': 'one' } }]]);
    let failing = false;
    const read = recorder(async ({ namespace, name }: { namespace: string; name: string }) => {
      if (failing) throw apiError(500, 'etcd timeout');
      const cm = store.get(`${namespace}/${name}`);
      if (!cm) throw apiError(404, 'not found');
      return cm;
    });
    const { logger, lines } = captureLogger();
    const cache = new PolicyConfigMapCache(
      { readNamespacedConfigMap: read } as unknown as ConfigMapReader,
      logger,
    );
    const refs = [{ namespace: 'sig', name: 'r' }];
    expect(await cache.sync(refs, false)).toBe(true);
    expect(cache.get('sig', 'r')).toEqual({ 'trusted_root.json': 'one' });
    expect(await cache.sync(refs, false)).toBe(false);
    store.set('sig/r', { data: { 'trusted_root.json': 'two' } });
    expect(await cache.sync(refs, true)).toBe(true);
    failing = true;
    expect(await cache.sync(refs, true)).toBe(false);
    expect(cache.get('sig', 'r')).toEqual({ 'trusted_root.json': 'two' });
    expect(lines().some((l) => l.includes('KUBE_CONFIGMAP_READ_FAILED') && l.includes('sig/r'))).toBe(true);
    failing = false;
    store.delete('sig/r');
    expect(await cache.sync(refs, true)).toBe(true);
    expect(cache.get('sig', 'r')).toBeUndefined();
    expect(read.calls).toHaveLength(4); // the second sync found it cached
  });
});
