import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { renderExternalChart } from '../../harness/chart';
import { startServe, type RunningServe } from '../../harness/serve';
import type { TlsPair } from '../../harness/tls';
import { REPO_ROOT } from '../../harness/tools';
import { DEFAULT_E2E_NAMESPACE, type E2E } from './env';
import { kubectlFor } from './kubectl';

// ok runs kubectl as the admin and throws with its output when it fails.
function ok(e2e: E2E, args: string[], input?: string) {
  return kubectlFor(e2e).ok(args, input);
}

/** The chart's webhook configurations as rendered for a local serve carry this label. */
export const CHART_INSTANCE_LABEL = 'app.kubernetes.io/instance=portcullis';

/** A local `portcullis serve` in cluster mode behind the chart's webhook configurations. */
export interface LocalWebhook {
  readonly serve: RunningServe;
  /** Removes the webhook configurations (no webhook left pointing at a stopped server), then stops serve. */
  stop(): Promise<void>;
}

// serviceAccountKubeconfig writes a kubeconfig for the chart's ServiceAccount (its ClusterRole, no more).
export async function serviceAccountKubeconfig(e2e: E2E, dir: string): Promise<string> {
  const token = (
    await ok(e2e, ['create', 'token', 'portcullis', '-n', DEFAULT_E2E_NAMESPACE, '--duration', '2h'])
  ).stdout.trim();
  const file = path.join(dir, 'sa.kubeconfig');
  const ca = (await readFile(e2e.controlPlane.caFile)).toString('base64');
  await writeFile(
    file,
    `apiVersion: v1\nkind: Config\nclusters: [{name: e2e, cluster: {server: "${e2e.controlPlane.server}", certificate-authority-data: ${ca}}}]\n` +
      `users: [{name: sa, user: {token: "${token}"}}]\ncontexts: [{name: e2e, context: {cluster: e2e, user: sa}}]\ncurrent-context: e2e\n`,
    { mode: 0o600 },
  );
  return file;
}

/**
 * Installs the CRDs and the chart in out-of-cluster mode around a local `portcullis serve` that runs as the
 * chart's ServiceAccount, with `extraArgs` after the cluster and registry flags. The caller waits until the
 * webhook is in the path (its own policy decides what proves that).
 */
export async function installLocalWebhook(
  e2e: E2E,
  dir: string,
  tls: TlsPair,
  extraArgs: readonly string[] = [],
): Promise<LocalWebhook> {
  await ok(e2e, ['apply', '--server-side', '-f', path.join(REPO_ROOT, 'manifests', 'crds')]);
  const ns = await ok(e2e, ['create', 'namespace', DEFAULT_E2E_NAMESPACE, '--dry-run=client', '-o', 'yaml']);
  await ok(e2e, ['apply', '-f', '-'], ns.stdout);
  // The ServiceAccount and its RBAC first: serve runs as it.
  const rbac = await renderExternalChart({ url: 'https://127.0.0.1:1', caPem: tls.cert }, [
    'templates/serviceaccount.yaml',
    'templates/clusterrole.yaml',
    'templates/clusterrolebinding.yaml',
  ]);
  await ok(e2e, ['apply', '-f', '-'], rbac);
  const hosts = [
    e2e.referrers.host,
    e2e.basicAuth.host,
    ...(e2e.mode.registry ? [e2e.mode.registry.pull] : []),
  ];
  const serve = await startServe(tls, [
    '--kubeconfig',
    await serviceAccountKubeconfig(e2e, dir),
    ...hosts.flatMap((h) => ['--insecure-registry', h]),
    ...extraArgs,
  ]);
  await ok(e2e, ['apply', '-f', '-'], await renderExternalChart({ url: serve.url, caPem: tls.cert }));
  return {
    serve,
    stop: async () => {
      await kubectlFor(e2e).k([
        'delete',
        'validatingwebhookconfiguration,mutatingwebhookconfiguration',
        '-l',
        CHART_INSTANCE_LABEL,
        '--ignore-not-found',
      ]);
      await serve.stop();
    },
  };
}
