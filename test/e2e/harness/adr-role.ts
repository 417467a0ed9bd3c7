// The webhook's ClusterRole exactly as ADR 0006 writes it, and credentials of a ServiceAccount bound to it, so
// that e2e tests run the cluster sources with the permissions the ADR (and the chart) grant and no more.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../../harness/tools';
import type { ControlPlaneInfo } from '../../harness/control-plane';

/** The ClusterRole of ADR 0006's yaml block, renamed `name`. */
export function adrClusterRole(name: string): Record<string, unknown> {
  const adr = readFileSync(path.join(REPO_ROOT, 'docs', 'adr', '0006-rbac-and-secrets.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(adr)?.[1];
  if (!block) throw new Error('ADR 0006 has no yaml block');
  const role = parse(block) as { metadata: { name: string } };
  return { ...role, metadata: { ...role.metadata, name } };
}

/** A kubeconfig that authenticates to the control plane with a ServiceAccount token. */
export function tokenKubeConfig(cp: ControlPlaneInfo, user: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'e2e', server: cp.server, caFile: cp.caFile, skipTLSVerify: false }],
    users: [{ name: user, token }],
    contexts: [{ name: 'e2e', cluster: 'e2e', user }],
    currentContext: 'e2e',
  });
  return kc;
}

/** Runs kubectl with optional stdin and resolves with its stdout; rejects when it fails. */
export type RunKubectl = (args: string[], input?: string) => Promise<string>;

/**
 * Creates ServiceAccount `sa` in `namespace` (which must exist), ADR 0006's ClusterRole as `role` and its binding,
 * and returns a kubeconfig with a one-hour token of that ServiceAccount.
 */
export async function adrServiceAccount(
  run: RunKubectl,
  cp: ControlPlaneInfo,
  names: { namespace: string; sa: string; role: string },
): Promise<KubeConfig> {
  const { namespace, sa, role } = names;
  await run(['create', 'serviceaccount', sa, '-n', namespace]);
  await run(['apply', '-f', '-'], stringify(adrClusterRole(role)));
  await run([
    'create',
    'clusterrolebinding',
    role,
    `--clusterrole=${role}`,
    `--serviceaccount=${namespace}:${sa}`,
  ]);
  const token = (await run(['create', 'token', sa, '-n', namespace, '--duration', '1h'])).trim();
  return tokenKubeConfig(cp, sa, token);
}
