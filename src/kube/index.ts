// Cluster mode (src/kube): policy informers with status, namespace labels, pull secrets, Events.
export * from './errors';
export { createKubeClients, type KubeClients, type KubeInformer } from './clients';
export { loadKubeConfig, IN_CLUSTER_TOKEN_FILE, type KubeConfigEnvironment } from './kube-config';
export { NamespaceLabels, NAMESPACE_READ_TIMEOUT_MS } from './namespace-labels';
export * from './pull-secrets';
export * from './event-recorder';
export * from './decision-events';
export {
  POLICY_SECRET_REFRESH_MS,
  MAX_PARALLEL_SECRET_READS,
  PolicyConfigMapCache,
  PolicySecretCache,
} from './policy-secrets';
export * from './policy-objects';
export { statusChanged, statusFingerprint } from './status-diff';
export { StatusWriter, MIN_STATUS_WRITE_INTERVAL_MS, STATUS_WRITE_TIMEOUT_MS } from './status-writer';
export { INFORMER_RETRY_BASE_MS, INFORMER_RETRY_MAX_MS, LIST_TIMEOUT_MS } from './informer-loop';
export { SECRET_READ_TIMEOUT_MS, MAX_SECRET_BYTES } from './secrets';
export { CONFIGMAP_READ_TIMEOUT_MS, MAX_CONFIGMAP_BYTES } from './configmaps';
