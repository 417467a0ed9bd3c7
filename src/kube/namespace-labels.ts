import type { CoreV1Api, V1Namespace } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClients } from './clients';
import { describeApiError, toKubeError, withTimeout } from './errors';
import { InformerLoop } from './informer-loop';

/** A namespace lookup (only on an informer cache miss) waits at most this long. */
export const NAMESPACE_READ_TIMEOUT_MS = 2_000;

const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Namespace labels for ClusterImagePolicy `namespaceSelector`s, from an informer on Namespaces.
 * `labelsOf` is the synchronous cache lookup; `labelsFor` also covers a namespace created a moment ago
 * that the watch has not delivered yet (a list of that one name), so a selector is never judged against missing labels.
 */
export class NamespaceLabels {
  private readonly loop: InformerLoop<V1Namespace>;

  constructor(
    clients: KubeClients,
    private readonly core: Pick<CoreV1Api, 'listNamespace'>,
    private readonly logger: Logger,
    onChange: () => void = () => {},
  ) {
    this.loop = new InformerLoop<V1Namespace>({
      resource: 'namespaces',
      path: '/api/v1/namespaces',
      list: () => clients.core.listNamespace(),
      onChange,
      clients,
      logger,
    });
  }

  /** Starts the informer. */
  start(): void {
    this.loop.start();
  }

  /** True once namespaces were listed. */
  ready(): boolean {
    return this.loop.listed();
  }

  /** The cached labels of a namespace; empty when it is not (yet) in the cache. */
  labelsOf(namespace: string): Readonly<Record<string, string>> {
    return this.loop.get(namespace)?.metadata?.labels ?? NO_LABELS;
  }

  /**
   * Labels from the cache, or from one narrowed list when the namespace is not cached yet. Rejects (KubeError) when
   * they cannot be known, so the request is denied rather than judged against no labels.
   */
  async labelsFor(namespace: string): Promise<Readonly<Record<string, string>>> {
    const cached = this.loop.get(namespace);
    if (cached) return cached.metadata?.labels ?? NO_LABELS;
    try {
      // A list narrowed to one name, not a GET: the ClusterRole grants list/watch on namespaces only.
      const list = await withTimeout(
        this.core.listNamespace({ fieldSelector: `metadata.name=${namespace}` }),
        NAMESPACE_READ_TIMEOUT_MS,
        `read Namespace ${namespace}`,
      );
      // An absent namespace has no labels (the API server refuses objects in it anyway).
      return list.items.find((n) => n.metadata?.name === namespace)?.metadata?.labels ?? NO_LABELS;
    } catch (error) {
      // Fail closed: judging selectors against no labels could leave a policy unapplied.
      this.logger.warn({ namespace, reason: describeApiError(error) }, 'could not read namespace labels');
      throw toKubeError('KUBE_SYNC_FAILED', `read labels of namespace ${namespace}`, error);
    }
  }

  /** Stops the informer. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
