// Pull secrets of a pod through a fake core API: order, ServiceAccount, types, misses, cache, no secret in logs.
import type { V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import type { PodFacts } from '../../../src/admission/admission.types';
import {
  KubePullSecretSource,
  MAX_PULL_SECRETS_PER_POD,
  PULL_SECRET_CACHE_TTL_MS,
  type PullSecretApi,
} from '../../../src/kube/pull-secrets';
import { apiError, captureLogger, recorder } from './fakes';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const config = (host: string): string =>
  JSON.stringify({ auths: { [host]: { auth: b64('user:s3cr3t-password') } } });

// cluster is a fake core API over Secrets and ServiceAccounts of namespace team-a.
function cluster(secrets: Record<string, V1Secret>, accounts: Record<string, V1ServiceAccount>) {
  const readNamespacedSecret = recorder(async ({ namespace, name }: { namespace: string; name: string }) => {
    const s = namespace === 'team-a' ? secrets[name] : undefined;
    if (s === null) throw apiError(403, 'secrets "x" is forbidden');
    if (!s) throw apiError(404, 'not found');
    return s;
  });
  const readNamespacedServiceAccount = recorder(async ({ name }: { namespace: string; name: string }) => {
    const sa = accounts[name];
    if (!sa) throw apiError(404, 'not found');
    return sa;
  });
  return { readNamespacedSecret, readNamespacedServiceAccount };
}

const secrets: Record<string, V1Secret> = {
  'pod-json': {
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(config('pod.example')) },
  },
  'sa-json': {
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64(config('sa.example')) },
  },
  legacy: {
    type: 'kubernetes.io/dockercfg',
    data: { '.dockercfg': b64(JSON.stringify({ 'old.example': { auth: b64('u:p') } })) },
  },
  opaque: { type: 'Opaque', data: { '.dockerconfigjson': b64(config('opaque.example')) } },
  garbage: {
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': b64('{not json s3cr3t-password') },
  },
  forbidden: null as unknown as V1Secret,
  helpers: {
    type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': b64(
        JSON.stringify({ auths: { 'pod.example': { auth: b64('u:p') } }, credsStore: 'ecr-login' }),
      ),
    },
  },
};
const accounts: Record<string, V1ServiceAccount> = {
  default: { imagePullSecrets: [{ name: 'sa-json' }] },
  builder: { imagePullSecrets: [{ name: 'legacy' }, { name: 'pod-json' }] },
};

const podFacts = (imagePullSecrets: string[], serviceAccountName?: string): PodFacts => ({
  annotations: {},
  imagePullSecrets,
  ...(serviceAccountName ? { serviceAccountName } : {}),
});

// hosts names the registries each returned docker config covers, in order.
function hosts(configs: readonly string[]): string[] {
  return configs.map((c) => Object.keys((JSON.parse(c) as { auths: object }).auths).join(','));
}

describe('KubePullSecretSource', () => {
  it.each([
    {
      name: 'pod secrets first, then the default ServiceAccount',
      pod: podFacts(['pod-json']),
      hosts: ['pod.example', 'sa.example'],
    },
    {
      name: "a named ServiceAccount's secrets (legacy dockercfg wrapped)",
      pod: podFacts([], 'builder'),
      hosts: ['old.example', 'pod.example'],
    },
    {
      name: 'duplicates are read once',
      pod: podFacts(['pod-json'], 'builder'),
      hosts: ['pod.example', 'old.example'],
    },
    {
      name: 'missing, Opaque, malformed and forbidden ones are skipped',
      pod: podFacts(['nope', 'opaque', 'garbage', 'forbidden']),
      hosts: ['sa.example'],
    },
    {
      name: 'a missing ServiceAccount adds nothing',
      pod: podFacts(['pod-json'], 'ghost'),
      hosts: ['pod.example'],
    },
  ])('$name', async ({ pod, hosts: expected }) => {
    const api = cluster(secrets, accounts);
    const { logger, lines } = captureLogger();
    const source = new KubePullSecretSource(api as unknown as PullSecretApi, logger);
    expect(hosts(await source.dockerConfigsFor('team-a', pod))).toEqual(expected);
    const log = lines().join('\n');
    expect(log).not.toContain('s3cr3t-password');
    expect(log).not.toContain(b64('user:s3cr3t-password'));
  });

  it('says that credential helpers named in a pull secret are not run, and still uses its auths', async () => {
    const api = cluster(secrets, accounts);
    const { logger, lines } = captureLogger();
    const source = new KubePullSecretSource(api as unknown as PullSecretApi, logger);
    expect(hosts(await source.dockerConfigsFor('team-a', podFacts(['helpers'], 'ghost')))).toEqual([
      'pod.example',
    ]);
    expect(lines().join('\n')).toMatch(
      /team-a\/helpers.*credential helpers \(credHelpers\/credsStore\); the webhook never runs them/,
    );
  });

  it('caches reads for the TTL, then reads again', async () => {
    let now = 0;
    const api = cluster(secrets, accounts);
    const source = new KubePullSecretSource(
      api as unknown as PullSecretApi,
      captureLogger().logger,
      () => now,
    );
    await Promise.all([
      source.dockerConfigsFor('team-a', podFacts(['pod-json'])),
      source.dockerConfigsFor('team-a', podFacts(['pod-json'])),
    ]);
    await source.dockerConfigsFor('team-a', podFacts(['pod-json']));
    expect([api.readNamespacedSecret.calls.length, api.readNamespacedServiceAccount.calls.length]).toEqual([
      2, 1,
    ]);
    now += PULL_SECRET_CACHE_TTL_MS;
    await source.dockerConfigsFor('team-a', podFacts(['pod-json']));
    expect([api.readNamespacedSecret.calls.length, api.readNamespacedServiceAccount.calls.length]).toEqual([
      4, 2,
    ]);
  });

  it(`reads at most ${MAX_PULL_SECRETS_PER_POD} secrets for one pod`, async () => {
    const api = cluster(secrets, {});
    const source = new KubePullSecretSource(api as unknown as PullSecretApi, captureLogger().logger);
    const names = Array.from({ length: MAX_PULL_SECRETS_PER_POD + 5 }, (_v, i) => `s${i}`);
    await source.dockerConfigsFor('team-a', podFacts(names));
    expect(api.readNamespacedSecret.calls).toHaveLength(MAX_PULL_SECRETS_PER_POD);
  });

  it('logs an unreadable ServiceAccount at warn and still returns the pod secrets', async () => {
    const api = cluster(secrets, accounts);
    const failing = {
      ...api,
      readNamespacedServiceAccount: async () => {
        throw apiError(403, 'serviceaccounts "default" is forbidden');
      },
    };
    const { logger, lines } = captureLogger();
    const source = new KubePullSecretSource(failing as unknown as PullSecretApi, logger);
    expect(hosts(await source.dockerConfigsFor('team-a', podFacts(['pod-json'])))).toEqual(['pod.example']);
    expect(lines().some((l) => l.includes('"level":40') && l.includes('HTTP 403'))).toBe(true);
  });
});
