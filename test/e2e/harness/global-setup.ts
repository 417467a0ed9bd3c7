import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { parse } from 'yaml';
import { startControlPlane, type ControlPlane, type ControlPlaneInfo } from '../../harness/control-plane';
import { loadHarness } from '../../harness/env';
import registriesSetup from '../../harness/global-setup';
import registriesTeardown from '../../harness/global-teardown';
import { toolsBin } from '../../harness/tools';
import { E2E_FILE_DIR, E2E_FILE_ENV, parseE2EMode, type E2E } from './env';

/** Where global-teardown finds the control plane to stop (jest runs setup and teardown in one process). */
export const CONTROL_PLANE_KEY = Symbol.for('portcullis.e2e.control-plane');

/** Suffix of the file (next to the e2e file) holding an existing cluster's CA when its kubeconfig inlines it. */
export const CLUSTER_CA_SUFFIX = '.ca.crt';

// globalSetup starts the registries (as the integration project does) and, unless PORTCULLIS_E2E_KUBECONFIG
// names an existing cluster, a control plane, side by side.
export default async function globalSetup(): Promise<void> {
  const mode = parseE2EMode(process.env);
  toolsBin(); // build or find every tool once, before two starters race to run hack/tools.sh
  // One file per jest run, like the integration harness file, so parallel runs do not collide.
  const file = path.join(E2E_FILE_DIR, `e2e-${process.pid}.json`);
  await mkdir(E2E_FILE_DIR, { recursive: true });
  const kubeconfig = process.env.PORTCULLIS_E2E_KUBECONFIG?.trim();
  const [registries, controlPlane] = await Promise.allSettled([
    registriesSetup(),
    mode.existingCluster && kubeconfig
      ? describeCluster(kubeconfig, file + CLUSTER_CA_SUFFIX)
      : startControlPlane(),
  ]);
  if (registries.status === 'rejected' || controlPlane.status === 'rejected') {
    if (controlPlane.status === 'fulfilled' && isStarted(controlPlane.value))
      await controlPlane.value.stop().catch(() => undefined);
    if (registries.status === 'fulfilled') await registriesTeardown().catch(() => undefined);
    await rm(file + CLUSTER_CA_SUFFIX, { force: true });
    throw registries.status === 'rejected'
      ? registries.reason
      : (controlPlane as PromiseRejectedResult).reason;
  }
  const cp = controlPlane.value;
  if (isStarted(cp)) (globalThis as Record<symbol, unknown>)[CONTROL_PLANE_KEY] = cp;
  const e2e: E2E = {
    ...loadHarness(),
    controlPlane: {
      dir: cp.dir,
      kubeconfig: cp.kubeconfig,
      server: cp.server,
      token: cp.token,
      caFile: cp.caFile,
      auditLog: cp.auditLog,
      pids: cp.pids,
    },
    mode,
  };
  await writeFile(file, JSON.stringify(e2e, null, 2), { mode: 0o600 });
  process.env[E2E_FILE_ENV] = file;
}

// isStarted tells a control plane this process started (it has stop()) from a described existing cluster.
function isStarted(cp: ControlPlaneInfo): cp is ControlPlane {
  return 'stop' in cp;
}

/** The parts of a kubeconfig describeCluster reads. */
interface KubeconfigFile {
  readonly 'current-context'?: string;
  readonly contexts?: readonly { name: string; context?: { cluster?: string } }[];
  readonly clusters?: readonly {
    name: string;
    cluster?: { server?: string; 'certificate-authority'?: string; 'certificate-authority-data'?: string };
  }[];
}

// describeCluster reads the server and CA of the kubeconfig's current context (an inline CA is written to
// `caOut`, since tests hand a CA file to their own clients). Nothing is started: no dir, token, audit log or pids.
async function describeCluster(kubeconfig: string, caOut: string): Promise<ControlPlaneInfo> {
  const file = path.resolve(kubeconfig);
  const config = parse(await readFile(file, 'utf8')) as KubeconfigFile;
  const contextName = config['current-context'];
  const clusterName = config.contexts?.find((c) => c.name === contextName)?.context?.cluster;
  const cluster = config.clusters?.find((c) => c.name === clusterName)?.cluster;
  if (cluster?.server === undefined)
    throw new Error(`${file}: no server for the current context ${String(contextName)}`);
  let caFile = '';
  if (cluster['certificate-authority-data'] !== undefined) {
    await writeFile(caOut, Buffer.from(cluster['certificate-authority-data'], 'base64'), { mode: 0o600 });
    caFile = caOut;
  } else if (cluster['certificate-authority'] !== undefined) {
    caFile = path.resolve(path.dirname(file), cluster['certificate-authority']);
  }
  return { dir: '', kubeconfig: file, server: cluster.server, token: '', caFile, auditLog: '', pids: [] };
}
