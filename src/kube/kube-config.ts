import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigError } from '../errors';
import { describeApiError } from './errors';

/** Where a pod's ServiceAccount token is mounted (in-cluster credentials). */
export const IN_CLUSTER_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** What the loader may look at; tests pass their own. */
export interface KubeConfigEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fileExists: (path: string) => boolean;
  readonly home: string;
}

const PROCESS_ENVIRONMENT: KubeConfigEnvironment = {
  env: process.env,
  fileExists: existsSync,
  home: homedir(),
};

/**
 * The credentials for cluster mode, in this order: `--kubeconfig FILE`; in-cluster (the pod's
 * ServiceAccount: KUBERNETES_SERVICE_HOST and a mounted token); `$KUBECONFIG`; `~/.kube/config`.
 * Unlike client-node's loadFromDefault, never falls back to http://localhost:8080: no credentials is a
 * ConfigError CONFIG_CLUSTER_MODE_UNAVAILABLE, and an unreadable file is CONFIG_FILE_UNREADABLE.
 */
export function loadKubeConfig(
  kubeconfig: string | undefined,
  environment: KubeConfigEnvironment = PROCESS_ENVIRONMENT,
): { kc: KubeConfig; from: string } {
  const kc = new KubeConfig();
  const { env, fileExists, home } = environment;
  // fromFile loads one kubeconfig file; `label` says where its path came from, for the error message.
  const fromFile = (file: string, label: string): { kc: KubeConfig; from: string } => {
    try {
      kc.loadFromFile(file);
    } catch (error) {
      throw new ConfigError('CONFIG_FILE_UNREADABLE', `${label}: ${describeApiError(error)}`, {
        cause: error,
      });
    }
    if (!kc.getCurrentCluster()) {
      throw new ConfigError(
        'CONFIG_CLUSTER_MODE_UNAVAILABLE',
        `${label}: the current context names no cluster; set current-context`,
      );
    }
    return { kc, from: file };
  };
  if (kubeconfig) return fromFile(kubeconfig, `--kubeconfig ${kubeconfig}`);
  if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fileExists(IN_CLUSTER_TOKEN_FILE)) {
    kc.loadFromCluster();
    return { kc, from: 'in-cluster ServiceAccount' };
  }
  const first = env.KUBECONFIG?.split(process.platform === 'win32' ? ';' : ':').find((f) => f !== '');
  if (first) return fromFile(first, `$KUBECONFIG (${first})`);
  const homeConfig = join(home, '.kube', 'config');
  if (fileExists(homeConfig)) return fromFile(homeConfig, homeConfig);
  throw new ConfigError(
    'CONFIG_CLUSTER_MODE_UNAVAILABLE',
    'no cluster credentials found (no --kubeconfig, not running in a pod, no $KUBECONFIG, no ~/.kube/config); ' +
      'pass --kubeconfig FILE, or --policy-dir DIR to run without a cluster',
  );
}
