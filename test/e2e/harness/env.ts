import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ControlPlaneInfo } from '../../harness/control-plane';
import type { Harness } from '../../harness/env';
import { REPO_ROOT } from '../../harness/tools';

/** Where the webhook under test runs: `portcullis serve` started by the tests, or the chart's Deployment. */
export type E2EWebhook = 'local' | 'in-cluster';

/** What cluster, webhook and registry an e2e run uses (from the PORTCULLIS_E2E_* variables; see hack/kind-e2e.sh). */
export interface E2EMode {
  /** PORTCULLIS_E2E_KUBECONFIG was given: the suite uses that cluster and starts no control plane. */
  readonly existingCluster: boolean;
  /** PORTCULLIS_E2E_WEBHOOK (default `local`). `in-cluster`: the chart is installed and serving. */
  readonly webhook: E2EWebhook;
  /** PORTCULLIS_E2E_NAMESPACE: the release namespace (default `portcullis-system`). */
  readonly namespace: string;
  /** PORTCULLIS_E2E_REGISTRY_PUSH / _PULL: one registry as the tests (push) and the cluster (pull) reach it. */
  readonly registry: { readonly push: string; readonly pull: string } | undefined;
}

/**
 * What the e2e global-setup started or found: the integration harness's registries plus a cluster. On an
 * existing cluster `controlPlane` describes it from its kubeconfig: `dir` and `token` are '' (the kubeconfig
 * holds the credentials), `auditLog` is '' (not available) and `pids` is empty.
 */
export interface E2E extends Harness {
  /** etcd + kube-apiserver on loopback (hack/control-plane.sh), or the existing cluster. */
  readonly controlPlane: ControlPlaneInfo;
  readonly mode: E2EMode;
}

/** The env var through which the e2e global-setup tells test workers where this run's e2e file is. */
export const E2E_FILE_ENV = 'PORTCULLIS_E2E_FILE';

/** Folder of the per-run e2e files (`e2e-<pid>.json`). */
export const E2E_FILE_DIR = path.join(REPO_ROOT, 'test', '.tmp');

/** The release namespace when PORTCULLIS_E2E_NAMESPACE is not set (what the tests install into locally). */
export const DEFAULT_E2E_NAMESPACE = 'portcullis-system';

/** Reads the e2e file that global-setup wrote for this jest run. */
export function loadE2E(): E2E {
  const file = process.env[E2E_FILE_ENV];
  if (file === undefined) {
    throw new Error(
      `${E2E_FILE_ENV} is not set: run e2e tests through npm run e2e (jest --selectProjects e2e)`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as E2E;
}

/** The mode of this run, as global-setup recorded it. */
export function e2eMode(): E2EMode {
  return loadE2E().mode;
}

/**
 * Reads the PORTCULLIS_E2E_* variables. Throws on a combination that cannot work (an unknown webhook value,
 * `in-cluster` without a cluster, only one of the registry hosts), so a misconfigured run stops at setup.
 */
export function parseE2EMode(env: NodeJS.ProcessEnv): E2EMode {
  const get = (name: string): string | undefined => {
    const v = env[`PORTCULLIS_E2E_${name}`]?.trim();
    return v === undefined || v === '' ? undefined : v;
  };
  const existingCluster = get('KUBECONFIG') !== undefined;
  const webhook = get('WEBHOOK') ?? 'local';
  if (webhook !== 'local' && webhook !== 'in-cluster')
    throw new Error(`PORTCULLIS_E2E_WEBHOOK=${webhook}: use local or in-cluster`);
  if (webhook === 'in-cluster' && !existingCluster)
    throw new Error(
      'PORTCULLIS_E2E_WEBHOOK=in-cluster needs PORTCULLIS_E2E_KUBECONFIG (the cluster it runs in)',
    );
  const push = get('REGISTRY_PUSH');
  const pull = get('REGISTRY_PULL');
  if ((push === undefined) !== (pull === undefined))
    throw new Error('set both PORTCULLIS_E2E_REGISTRY_PUSH and PORTCULLIS_E2E_REGISTRY_PULL, or neither');
  return {
    existingCluster,
    webhook,
    namespace: get('NAMESPACE') ?? DEFAULT_E2E_NAMESPACE,
    registry: push !== undefined && pull !== undefined ? { push, pull } : undefined,
  };
}

/** A test or describe block that runs only when its condition holds; see skipUnless. */
export interface Conditional {
  readonly it: (name: string, fn: jest.ProvidesCallback, timeout?: number) => void;
  readonly describe: (name: string, fn: () => void) => void;
}

/**
 * Declares tests that cannot run in every mode: when `condition` is false they are skipped, and `reason`
 * (e.g. "skipped on an existing cluster: no API server audit log") is appended to their title, so a
 * skip is never silent. Usage: `skipUnless(cond, reason).it('does x', async () => …)`.
 */
export function skipUnless(condition: boolean, reason: string): Conditional {
  if (condition) return { it: (n, fn, t) => it(n, fn, t), describe: (n, fn) => describe(n, fn) };
  return {
    it: (n, fn, t) => it.skip(`${n} (${reason})`, fn, t),
    describe: (n, fn) => describe.skip(`${n} (${reason})`, fn),
  };
}
