import type { Logger } from 'pino';
import type { PolicySource } from '../policy-sources/snapshot';
import type { PullSecretSource } from '../engine/pull-secrets.types';
import type { Metrics } from '../observability/metrics';
import type { DecisionListener } from '../server/app-options.types';
import type { KubeClients } from '../kube/clients';
import { ClusterPolicySource } from '../policy-sources/cluster';
import { EventRecorder } from '../kube/event-recorder';
import { NamespaceLabels } from '../kube/namespace-labels';
import { KubePullSecretSource } from '../kube/pull-secrets';

/** Everything `serve` needs from the cluster, started and ready to hand to createRuntime and buildApp. */
export interface ClusterMode {
  /** Policies from the informers; ready once both policy kinds and the namespaces are synced. */
  readonly policies: PolicySource;
  readonly pullSecrets: PullSecretSource;
  readonly namespaceLabels: (namespace: string) => Promise<Readonly<Record<string, string>>>;
  readonly onDecision: DecisionListener;
  /** Resolves once policies and namespaces are synced. */
  whenReady(): Promise<void>;
  /** Stops informers and timers, then waits for Event writes in flight. */
  stop(): Promise<void>;
}

export interface ClusterModeOptions {
  readonly clients: KubeClients;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** `reportingInstance` of Events: the pod name in a cluster. */
  readonly instance: string;
  readonly now?: () => number;
  /** Overrides POLICY_SECRET_REFRESH_MS (tests). */
  readonly secretRefreshMs?: number;
}

/** Builds and starts the cluster-backed sources: policy and namespace informers, pull secrets, Events. */
export function startClusterMode(options: ClusterModeOptions): ClusterMode {
  const { clients, logger } = options;
  const log = logger.child({ component: 'kube' });
  const source = new ClusterPolicySource({
    clients,
    logger: log,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.secretRefreshMs !== undefined ? { secretRefreshMs: options.secretRefreshMs } : {}),
  });
  const waiters: (() => void)[] = [];
  const isReady = (): boolean => source.ready() && namespaces.ready();
  const check = (): void => {
    if (isReady()) for (const resolve of waiters.splice(0)) resolve();
  };
  const namespaces = new NamespaceLabels(clients, clients.core, log, check);
  const recorder = new EventRecorder(clients.events, log, {
    instance: options.instance,
    ...(options.now ? { now: options.now } : {}),
  });
  source.start();
  namespaces.start();
  void source.whenReady().then(check);
  return {
    policies: { current: () => source.current(), ready: isReady },
    pullSecrets: new KubePullSecretSource(clients.core, log, options.now),
    namespaceLabels: (namespace) => namespaces.labelsFor(namespace),
    onDecision: recorder.onDecision,
    whenReady: () => (isReady() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    stop: async () => {
      await Promise.all([source.stop(), namespaces.stop()]);
      await recorder.flush();
    },
  };
}
