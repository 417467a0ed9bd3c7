// Where cluster-mode credentials come from, and the errors when there are none.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/cli/errors';
import { IN_CLUSTER_TOKEN_FILE, loadKubeConfig } from '../../../src/kube/kube-config';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-kc-'));
const kubeconfig = (server: string, file: string, current = 'ctx'): string => {
  const path = join(dir, file);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      'current-context': current,
    }),
  );
  return path;
};
const flagFile = kubeconfig('https://flag.example:6443', 'flag.yaml');
const envFile = kubeconfig('https://env.example:6443', 'env.yaml');
const noContext = kubeconfig('https://x.example', 'none.yaml', 'missing');
const home = join(dir, 'home');

describe('loadKubeConfig', () => {
  it.each([
    {
      name: '--kubeconfig wins',
      flag: flagFile,
      env: { KUBECONFIG: envFile },
      files: [] as string[],
      server: 'https://flag.example:6443',
    },
    {
      name: 'in-cluster before $KUBECONFIG',
      flag: undefined,
      env: { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: envFile },
      files: [IN_CLUSTER_TOKEN_FILE],
      server: 'in-cluster ServiceAccount', // client-node's loadFromCluster reads process.env itself
    },
    {
      name: '$KUBECONFIG (first file)',
      flag: undefined,
      env: { KUBECONFIG: `${envFile}:/nope` },
      files: [] as string[],
      server: 'https://env.example:6443',
    },
    {
      name: 'service env without a token is not in-cluster',
      flag: undefined,
      env: { KUBERNETES_SERVICE_HOST: 'h', KUBERNETES_SERVICE_PORT: '1', KUBECONFIG: envFile },
      files: [] as string[],
      server: 'https://env.example:6443',
    },
  ])('$name', ({ flag, env, files, server }) => {
    const { kc, from } = loadKubeConfig(flag, { env, home, fileExists: (p) => files.includes(p) });
    expect(from === 'in-cluster ServiceAccount' ? from : kc.getCurrentCluster()?.server).toBe(server);
  });

  it('falls back to ~/.kube/config', () => {
    const config = join(home, '.kube', 'config');
    mkdirSync(join(home, '.kube'), { recursive: true });
    writeFileSync(config, readFileSync(envFile));
    const read = loadKubeConfig(undefined, { env: {}, home, fileExists: (p) => p === config });
    expect(read.from).toBe(config);
  });

  it.each([
    {
      name: 'no credentials anywhere',
      flag: undefined,
      code: 'CONFIG_CLUSTER_MODE_UNAVAILABLE',
      text: /no cluster credentials found.*--policy-dir/,
    },
    {
      name: 'an unreadable --kubeconfig',
      flag: join(dir, 'missing.yaml'),
      code: 'CONFIG_FILE_UNREADABLE',
      text: /--kubeconfig .*missing\.yaml: ENOENT/,
    },
    {
      name: 'a kubeconfig whose context names no cluster',
      flag: noContext,
      code: 'CONFIG_CLUSTER_MODE_UNAVAILABLE',
      text: /current-context/,
    },
  ])('$name → $code', ({ flag, code, text }) => {
    expect(() => loadKubeConfig(flag, { env: {}, home, fileExists: () => false })).toThrowWithCode(code, {
      instanceOf: ConfigError,
      message: text,
    });
  });
});
