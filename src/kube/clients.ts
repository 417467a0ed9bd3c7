import {
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';

/** An informer plus its cache, as client-node's ListWatch provides. */
export type KubeInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

/**
 * The API-server operations cluster mode uses, narrowed to what we call, so tests can hand in a real
 * API server (createKubeClients) or small fakes. Every call here maps to one RBAC rule in ADR 0006.
 */
export interface KubeClients {
  /** list + watch over `path`, restarted by our code on error (see informer-loop.ts). */
  informer<T extends KubernetesObject>(
    path: string,
    list: () => Promise<KubernetesListObject<T>>,
  ): KubeInformer<T>;
  readonly core: Pick<
    CoreV1Api,
    'readNamespacedSecret' | 'readNamespacedConfigMap' | 'readNamespacedServiceAccount' | 'listNamespace'
  >;
  readonly custom: Pick<
    CustomObjectsApi,
    'listClusterCustomObject' | 'patchClusterCustomObjectStatus' | 'patchNamespacedCustomObjectStatus'
  >;
  readonly events: Pick<EventsV1Api, 'createNamespacedEvent' | 'patchNamespacedEvent'>;
}

/** The real clients for one KubeConfig (a kubeconfig file, in-cluster credentials, or a test API server). */
export function createKubeClients(kc: KubeConfig): KubeClients {
  return {
    informer: <T extends KubernetesObject>(path: string, list: () => Promise<KubernetesListObject<T>>) =>
      makeInformer<T>(kc, path, list),
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    events: kc.makeApiClient(EventsV1Api),
  };
}
