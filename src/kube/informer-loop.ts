import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClients, KubeInformer } from './clients';
import { apiStatusOf, describeApiError, withTimeout } from './errors';

/** First delay before restarting an informer whose list or watch failed; doubles up to the maximum. */
export const INFORMER_RETRY_BASE_MS = 500;
export const INFORMER_RETRY_MAX_MS = 30_000;
/** A list call that takes longer than this is abandoned and retried. */
export const LIST_TIMEOUT_MS = 30_000;

export interface InformerLoopOptions<T extends KubernetesObject> {
  /** For logs, e.g. `clusterimagepolicies.portcullis.dev`. */
  readonly resource: string;
  /** The watch path, e.g. `/apis/portcullis.dev/v1alpha1/clusterimagepolicies`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** Called (synchronously, so keep it cheap) after the first list and on every add/update/delete. */
  readonly onChange: () => void;
  readonly clients: KubeClients;
  readonly logger: Logger;
}

// hintFor turns the usual list/watch failures into what an operator should check.
function hintFor(status: number | undefined, resource: string): string {
  if (status === 404) return `is the ${resource} CRD (or API) installed?`;
  if (status === 401) return 'are the credentials (token, client certificate) valid?';
  if (status === 403)
    return `does the webhook's ServiceAccount have list and watch on ${resource} (ADR 0006)?`;
  return 'retrying';
}

/**
 * One client-node informer kept alive: client-node's ListWatch stops for good after a list or watch
 * error, so we restart it with capped exponential backoff. `listed()` turns true once a list succeeded
 * and its items are in the cache, which is what "synced" means for /readyz.
 */
export class InformerLoop<T extends KubernetesObject> {
  private readonly informer: KubeInformer<T>;
  private hasListed = false;
  private stopped = true;
  private retryMs = INFORMER_RETRY_BASE_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly options: InformerLoopOptions<T>) {
    const { clients, path, resource } = options;
    this.informer = clients.informer<T>(path, () => this.listOnce(resource));
    const changed = (): void => options.onChange();
    this.informer.on('add', changed);
    this.informer.on('update', changed);
    this.informer.on('delete', changed);
    this.informer.on('error', (error: unknown) => this.failed(error));
  }

  // listOnce lists with a deadline; the cache is filled right after it resolves, hence setImmediate.
  private async listOnce(resource: string): Promise<KubernetesListObject<T>> {
    const list = await withTimeout(this.options.list(), LIST_TIMEOUT_MS, `list ${resource}`);
    setImmediate(() => {
      if (this.stopped) return;
      if (!this.hasListed || this.failures > 0)
        this.options.logger.info({ resource, items: list.items.length }, 'informer synced');
      this.hasListed = true;
      this.failures = 0;
      this.retryMs = INFORMER_RETRY_BASE_MS;
      this.options.onChange();
    });
    return list;
  }

  /** Starts listing and watching; never rejects (failures are logged and retried). */
  start(): void {
    this.stopped = false;
    this.informer.start().catch((error: unknown) => this.failed(error));
  }

  // failed logs once per streak at warn (then debug) and restarts after a backoff.
  private failed(error: unknown): void {
    if (this.stopped) return;
    const status = apiStatusOf(error);
    const { resource, logger } = this.options;
    const line = {
      code: 'KUBE_SYNC_FAILED',
      resource,
      status,
      reason: describeApiError(error),
      retryInMs: this.retryMs,
    };
    const hint = hintFor(status, resource);
    if (this.failures === 0) logger.warn(line, `list/watch of ${resource} failed; ${hint}`);
    else logger.debug(line, `list/watch of ${resource} failed again`);
    this.failures += 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      if (!this.stopped) this.start();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, INFORMER_RETRY_MAX_MS);
  }

  /** True once a list succeeded and its objects are in the cache. */
  listed(): boolean {
    return this.hasListed;
  }

  /** The cached objects (all namespaces). */
  items(): readonly T[] {
    return this.informer.list();
  }

  /** One cached object. */
  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  /** Stops watching and retrying. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.informer.stop();
  }
}
