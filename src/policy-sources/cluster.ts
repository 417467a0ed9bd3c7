import type { Logger } from 'pino';
import { EMPTY_SNAPSHOT, type PolicySnapshot, type PolicySource } from './snapshot';
import type { Metrics } from '../observability/metrics';
import { POLICY_API_GROUP } from '../policy';
import type { KubeClients } from '../kube/clients';
import { InformerLoop } from '../kube/informer-loop';
import {
  collectConfigMapRefs,
  collectSecretRefs,
  compileWithOutcomes,
  policyPath,
  POLICY_RESOURCES,
  POLICY_VERSION,
  withKind,
  type PolicyKindName,
  type PolicyResource,
} from '../kube/policy-objects';
import { POLICY_SECRET_REFRESH_MS, PolicyConfigMapCache, PolicySecretCache } from '../kube/policy-secrets';
import { StatusWriter } from '../kube/status-writer';

/** Changes arriving within this window are compiled together (a `kubectl apply` of many policies). */
export const RECOMPILE_DEBOUNCE_MS = 100;

export interface ClusterPolicySourceOptions {
  readonly clients: KubeClients;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly now?: () => number;
  /** Defaults to POLICY_SECRET_REFRESH_MS; tests shorten it. */
  readonly secretRefreshMs?: number;
}

/**
 * Policies from the cluster: informers on ClusterImagePolicy and ImagePolicy. Every change recompiles
 * (debounced), publishes a new snapshot and writes each policy's Ready condition. Ready for /readyz only
 * after both kinds were listed once and compiled.
 */
export class ClusterPolicySource implements PolicySource {
  private snapshot: PolicySnapshot = EMPTY_SNAPSHOT;
  private synced = false;
  private readonly waiters: (() => void)[] = [];
  private readonly informers: Record<PolicyKindName, InformerLoop<PolicyResource>>;
  private readonly secrets: PolicySecretCache;
  private readonly configMaps: PolicyConfigMapCache;
  private readonly status: StatusWriter;
  private timer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private refreshDue = false;
  private summary = '';
  private stopped = false;

  constructor(private readonly options: ClusterPolicySourceOptions) {
    const { clients, logger } = options;
    this.secrets = new PolicySecretCache(clients.core, logger);
    this.configMaps = new PolicyConfigMapCache(clients.core, logger);
    this.status = new StatusWriter(clients.custom, logger, options.now);
    const loop = (kind: PolicyKindName): InformerLoop<PolicyResource> =>
      new InformerLoop<PolicyResource>({
        resource: `${POLICY_RESOURCES[kind].plural}.${POLICY_API_GROUP}`,
        path: policyPath(kind),
        list: () =>
          clients.custom.listClusterCustomObject({
            group: POLICY_API_GROUP,
            version: POLICY_VERSION,
            plural: POLICY_RESOURCES[kind].plural,
          }) as Promise<{ items: PolicyResource[] }>,
        onChange: () => this.schedule(RECOMPILE_DEBOUNCE_MS),
        clients,
        logger,
      });
    this.informers = { ClusterImagePolicy: loop('ClusterImagePolicy'), ImagePolicy: loop('ImagePolicy') };
  }

  /** The snapshot in force (empty until the first compile). */
  current(): PolicySnapshot {
    return this.snapshot;
  }

  /** True once both policy kinds were listed and compiled. */
  ready(): boolean {
    return this.synced;
  }

  /** Starts both informers and the periodic re-read of policy Secrets and ConfigMaps. */
  start(): void {
    this.stopped = false;
    for (const informer of Object.values(this.informers)) informer.start();
    this.refreshTimer = setInterval(() => {
      this.refreshDue = true;
      this.schedule(0);
    }, this.options.secretRefreshMs ?? POLICY_SECRET_REFRESH_MS);
    this.refreshTimer.unref();
  }

  /** Resolves once the first sync has been compiled (serve logs it; tests wait for it). */
  whenReady(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops informers and timers; the last snapshot stays in force. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.refreshTimer);
    await Promise.all(Object.values(this.informers).map((i) => i.stop()));
  }

  // schedule debounces recompiles; a recompile already running picks the change up when it ends.
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.recompile(), delayMs);
    this.timer.unref();
  }

  // recompile runs one compile at a time, again while changes arrived meanwhile; never rejects.
  private async recompile(): Promise<void> {
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.dirty = false;
        await this.compileOnce();
      } while (this.dirty && !this.stopped);
    } catch (error) {
      this.options.logger.error(
        { err: error },
        'recompiling cluster policies failed; keeping the previous set',
      );
    } finally {
      this.running = false;
    }
  }

  // compileOnce fetches referenced Secrets and ConfigMaps, compiles, publishes, then writes status.
  private async compileOnce(): Promise<void> {
    const listed = Object.values(this.informers).every((i) => i.listed());
    const objs = (Object.keys(this.informers) as PolicyKindName[]).flatMap((kind) =>
      this.informers[kind].items().map((o) => withKind(o, kind)),
    );
    const refresh = this.refreshDue;
    this.refreshDue = false;
    await Promise.all([
      this.secrets.sync(collectSecretRefs(objs), refresh),
      this.configMaps.sync(collectConfigMapRefs(objs), refresh),
    ]);
    const { set, outcomes } = compileWithOutcomes(objs, this.secrets, this.configMaps);
    this.snapshot = { policies: set.policies, broken: set.broken };
    this.report();
    if (listed && !this.synced) {
      this.synced = true;
      this.options.logger.info({ policies: objs.length }, 'cluster policies synced');
      for (const resolve of this.waiters.splice(0)) resolve();
    }
    const retry = await this.status.reconcile(
      objs.map((obj, i) => ({ obj, outcome: outcomes[i] as (typeof outcomes)[number] })),
    );
    if (retry !== undefined) this.schedule(retry);
  }

  // report logs and counts the compiled set when it changed, naming every broken policy.
  private report(): void {
    const { policies, broken } = this.snapshot;
    const summary = JSON.stringify([policies.map((p) => p.cacheKey), broken.map((b) => b.reason)]);
    if (summary === this.summary) return;
    this.summary = summary;
    this.options.metrics?.policies.set({ ready: 'true' }, policies.length);
    this.options.metrics?.policies.set({ ready: 'false' }, broken.length);
    this.options.logger.info({ ready: policies.length, broken: broken.length }, 'cluster policies compiled');
    for (const b of broken)
      this.options.logger.warn({ policy: b.policy.id, code: b.code, reason: b.reason }, 'policy not ready');
  }
}
