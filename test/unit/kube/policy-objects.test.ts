// Reading policy objects from the API: which Secrets they name, and compile outcomes per object.
import type { V1Secret } from '@kubernetes/client-node';
import {
  collectSecretRefs,
  compileWithOutcomes,
  MAX_POLICY_SECRETS,
  policyPath,
  withKind,
  type PolicyResource,
} from '../../../src/kube/policy-objects';
import { PolicySecretCache } from '../../../src/kube/policy-secrets';
import type { SecretReader } from '../../../src/kube/secrets';
import { PolicyError } from '../../../src/policy/errors';
import { clusterPolicy, namespacedPolicy, PEM, secretsOf } from '../policy/helpers';
import { apiError, captureLogger, recorder } from './fakes';

const keyRef = (ref: Record<string, unknown>) => [{ name: 'k', cosign: { key: { secretRef: ref } } }];

describe('collectSecretRefs', () => {
  it.each([
    {
      name: 'a cluster policy key secretRef with a namespace',
      objs: [clusterPolicy({ authorities: keyRef({ name: 'cosign', namespace: 'sec', key: 'cosign.pub' }) })],
      refs: ['sec/cosign'],
    },
    {
      name: 'a cluster policy secretRef without a namespace (invalid: not fetched)',
      objs: [clusterPolicy({ authorities: keyRef({ name: 'cosign', key: 'k' }) })],
      refs: [],
    },
    {
      name: "an ImagePolicy's own-namespace refs, explicit or implied",
      objs: [
        namespacedPolicy({
          authorities: keyRef({ name: 'a', key: 'k' }),
          registry: { credentials: [{ secretRef: { name: 'pull', namespace: 'team-a' } }] },
        }),
      ],
      refs: ['team-a/a', 'team-a/pull'],
    },
    {
      name: "an ImagePolicy naming another namespace's Secret (confused deputy: never read)",
      objs: [namespacedPolicy({ authorities: keyRef({ name: 'a', namespace: 'kube-system', key: 'k' }) })],
      refs: [],
    },
    {
      name: 'duplicates and junk',
      objs: [
        clusterPolicy({
          authorities: [
            ...keyRef({ name: 'x', namespace: 'n', key: 'k' }),
            { name: 'j', cosign: { key: { secretRef: 'junk' } } },
            'junk',
          ],
          registry: { credentials: [{ secretRef: { name: 'x', namespace: 'n' } }, null] },
        }),
        { metadata: { name: 'no-spec' } },
      ],
      refs: ['n/x'],
    },
  ])('$name', ({ objs, refs }) => {
    const got = collectSecretRefs(objs as PolicyResource[]).map((r) => `${r.namespace}/${r.name}`);
    expect(got).toEqual(refs);
  });

  it(`reads at most ${MAX_POLICY_SECRETS} Secrets`, () => {
    const creds = Array.from({ length: MAX_POLICY_SECRETS + 10 }, (_v, i) => ({
      secretRef: { name: `s${i}`, namespace: 'n' },
    }));
    const objs = [clusterPolicy({ registry: { credentials: creds } })] as PolicyResource[];
    expect(collectSecretRefs(objs)).toHaveLength(MAX_POLICY_SECRETS);
  });
});

describe('compileWithOutcomes', () => {
  it('pairs each object with its compiled policy or its error, in order', () => {
    const objs = [
      clusterPolicy({}, 'good-1'),
      clusterPolicy({ authorities: [{ name: 'k', cosign: { key: { data: 'not a key' } } }] }, 'bad'),
      clusterPolicy({}, 'good-2'),
    ] as PolicyResource[];
    const { set, outcomes } = compileWithOutcomes(objs, secretsOf());
    expect(set.policies.map((p) => p.name)).toEqual(['good-1', 'good-2']);
    expect(outcomes.map((o) => ('policy' in o ? o.policy.name : o.error.code))).toEqual([
      'good-1',
      'POLICY_KEY_INVALID',
      'good-2',
    ]);
    const bad = outcomes[1];
    expect(bad && 'error' in bad && bad.error).toBeInstanceOf(PolicyError);
  });

  it('stamps kind and apiVersion that list items may lack', () => {
    const { kind: _k, apiVersion: _a, ...bare } = clusterPolicy() as PolicyResource;
    const obj = withKind(bare, 'ClusterImagePolicy');
    expect(compileWithOutcomes([obj], secretsOf()).set.policies).toHaveLength(1);
    expect(policyPath('ImagePolicy')).toBe('/apis/portcullis.dev/v1alpha1/imagepolicies');
  });
});

// secretOf builds a V1Secret with base64 data.
function secretOf(data: Record<string, string>, type = 'Opaque'): V1Secret {
  return {
    type,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

describe('PolicySecretCache', () => {
  // fakeReader serves Secrets from a mutable map; `failing` names keys that answer 500.
  function fakeReader(store: Map<string, V1Secret>, failing = new Set<string>()) {
    return recorder(async ({ namespace, name }: { namespace: string; name: string }) => {
      const key = `${namespace}/${name}`;
      if (failing.has(key)) throw apiError(500, 'etcd timeout');
      const s = store.get(key);
      if (!s) throw apiError(404, 'not found');
      return s;
    });
  }

  it('reads each referenced Secret once, decodes it, and notices rotation on refresh', async () => {
    const store = new Map([['sec/cosign', secretOf({ 'cosign.pub': PEM })]]);
    const read = fakeReader(store);
    const cache = new PolicySecretCache(
      { readNamespacedSecret: read } as unknown as SecretReader,
      captureLogger().logger,
    );
    const refs = [{ namespace: 'sec', name: 'cosign' }];
    expect(await cache.sync(refs, false)).toBe(true);
    expect(cache.get('sec', 'cosign')).toEqual({ 'cosign.pub': PEM });
    expect(await cache.sync(refs, false)).toBe(false);
    expect(read.calls).toHaveLength(1);
    expect(await cache.sync(refs, true)).toBe(false); // refreshed, unchanged
    store.set('sec/cosign', secretOf({ 'cosign.pub': `${PEM}\n` }));
    expect(await cache.sync(refs, true)).toBe(true);
    store.delete('sec/cosign');
    expect(await cache.sync(refs, true)).toBe(true);
    expect(cache.get('sec', 'cosign')).toBeUndefined();
    expect(read.calls).toHaveLength(4);
  });

  it('keeps the previous contents when a re-read fails, and forgets unreferenced Secrets', async () => {
    const store = new Map([['sec/a', secretOf({ k: 'v' })]]);
    const failing = new Set<string>();
    const { logger, lines } = captureLogger();
    const cache = new PolicySecretCache(
      { readNamespacedSecret: fakeReader(store, failing) } as unknown as SecretReader,
      logger,
    );
    await cache.sync([{ namespace: 'sec', name: 'a' }], false);
    failing.add('sec/a');
    expect(await cache.sync([{ namespace: 'sec', name: 'a' }], true)).toBe(false);
    expect(cache.get('sec', 'a')).toEqual({ k: 'v' });
    expect(lines().some((l) => l.includes('KUBE_SECRET_READ_FAILED') && l.includes('HTTP 500'))).toBe(true);
    expect(lines().join('\n')).not.toContain('"v"');
    expect(await cache.sync([], false)).toBe(true);
    expect(cache.get('sec', 'a')).toBeUndefined();
  });
});
