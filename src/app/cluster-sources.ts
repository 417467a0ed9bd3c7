import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { createKubeClients, loadKubeConfig } from '../kube';
import type { Metrics } from '../observability/metrics';
import { startClusterMode } from './cluster-mode';
import type { ServeSources } from './serve-sources';

/**
 * Cluster mode's sources: credentials from `--kubeconfig`, in-cluster, $KUBECONFIG or ~/.kube/config (a
 * ConfigError when there are none), then policies, pull secrets and namespace labels from informers. Loaded
 * only in cluster mode (see serve-sources.ts), because it brings in @kubernetes/client-node.
 */
export function openClusterSources(
  kubeconfig: string | undefined,
  logger: Logger,
  metrics: Metrics,
): ServeSources {
  const { kc, from } = loadKubeConfig(kubeconfig);
  logger.info(
    { credentials: from, server: kc.getCurrentCluster()?.server },
    'cluster mode: policies from ClusterImagePolicy and ImagePolicy informers',
  );
  const cluster = startClusterMode({
    clients: createKubeClients(kc),
    logger,
    metrics,
    instance: process.env.POD_NAME ?? hostname(),
  });
  return {
    mode: 'cluster',
    policies: cluster.policies,
    pullSecrets: cluster.pullSecrets,
    namespaceLabels: cluster.namespaceLabels,
    onDecision: cluster.onDecision,
    kubeConfig: kc,
    stop: () => cluster.stop(),
  };
}
