import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Evaluate } from '../engine/evaluate-request';
import type { PolicySource } from '../policy-sources/snapshot';
import type { PullSecretSource } from '../engine/pull-secrets.types';
import { KubeError } from '../kube/errors';
import type { Metrics } from '../observability/metrics';
import type { DecisionListener } from '../server/app-options.types';
import { DirPolicySource } from '../policy-sources/dir';
import { NamespaceLabelsFile } from '../policy-sources/namespace-labels-file';
import { ConfigError } from '../errors';
import type { NamespaceLabelLookup } from './runtime';

/** Where `serve` gets policies, pull secrets, namespace labels and Events from. */
export interface ServeSources {
  readonly mode: 'policy-dir' | 'cluster';
  readonly policies: PolicySource;
  readonly pullSecrets?: PullSecretSource;
  /** The cluster's labels (cluster mode), or --namespace-labels' (undefined for a namespace it does not list). */
  readonly namespaceLabels?: (namespace: string) => NamespaceLabelLookup | Promise<NamespaceLabelLookup>;
  readonly onDecision?: DecisionListener;
  /** Cluster mode: the credentials in use (the self-managed TLS rotator talks to the same API server). */
  readonly kubeConfig?: KubeConfig;
  /** Stops watching (folder or informers). */
  stop(): Promise<void>;
}

/**
 * `--policy-dir DIR`: policies from files, no cluster at all. Otherwise cluster mode, with credentials from
 * `--kubeconfig`, in-cluster, $KUBECONFIG or ~/.kube/config (a ConfigError when there are none).
 */
export function openServeSources(
  flags: { policyDir?: string; kubeconfig?: string; namespaceLabels?: string },
  logger: Logger,
  metrics: Metrics,
): ServeSources {
  if (flags.policyDir) {
    const policies = DirPolicySource.load(flags.policyDir, logger, metrics);
    // Without --namespace-labels only each namespace's name label is known (docs/policy.md).
    const labels =
      flags.namespaceLabels === undefined
        ? undefined
        : NamespaceLabelsFile.load(flags.namespaceLabels, logger);
    const stopWatching = [policies.watch(), labels?.watch() ?? (() => {})];
    return {
      mode: 'policy-dir',
      policies,
      ...(labels ? { namespaceLabels: (namespace: string) => labels.labelsOf(namespace) } : {}),
      stop: async () => stopWatching.forEach((stop) => stop()),
    };
  }
  if (flags.namespaceLabels !== undefined) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      '--namespace-labels is for --policy-dir mode; in cluster mode the labels come from the cluster',
    );
  }
  return loadClusterSources().openClusterSources(flags.kubeconfig, logger, metrics);
}

// loadClusterSources requires cluster mode on demand: @kubernetes/client-node costs about 80 MiB of memory and
// start-up time, which --policy-dir mode and the CLI commands (verify, review, policy) should not pay.
function loadClusterSources(): typeof import('./cluster-sources') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the deliberate lazy load above
  return require('./cluster-sources') as typeof import('./cluster-sources');
}

/**
 * Refuses to judge a request that needs a review before the policies are synced: an empty snapshot would
 * treat every image as ungoverned (--no-match), which is not what the cluster's policies say. In a cluster
 * /readyz keeps traffic away meanwhile; this covers webhooks registered by URL.
 */
export function guardUntilSynced(policies: PolicySource, evaluate: Evaluate): Evaluate {
  return async (facts, deadline, how) => {
    if (!policies.ready() && facts.needsReview) {
      throw new KubeError(
        'KUBE_NOT_SYNCED',
        'policies are not loaded from the cluster yet, so nothing can be admitted; retry in a few seconds ' +
          '(if this persists, look for KUBE_SYNC_FAILED in the webhook log)',
      );
    }
    return evaluate(facts, deadline, how);
  };
}
