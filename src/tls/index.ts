// Self-managed webhook CA and serving certificate: pure planning (plan.ts) and the I/O that applies it.
export * from './errors';
export * from './limits';
export type * from './rotation.types';
export { planRotation, DEFAULT_ROTATION_DURATIONS } from './plan';
export { inspectMaterial, bundleIds, sameIds } from './inspect';
export { X509_ISSUER, type CertificateIssuer, type CertAndKey } from './issue';
export {
  SECRET_KEYS,
  SECRET_ANNOTATIONS,
  splitPemBundle,
  toTlsMaterial,
  withTlsMaterial,
  type TlsMaterial,
} from './secret-layout';
export { nextMaterial, type TransitionContext } from './transitions';
export { writeServingFiles, type ServingFiles } from './files';
export {
  createTlsKubeClients,
  readTlsSecret,
  replaceTlsSecret,
  readWebhookBundles,
  patchWebhookBundles,
  SecretConflict,
  type TlsKubeClients,
  type WebhookConfigRef,
  type WebhookBundles,
} from './kube-api';
export { TlsRotator, type TlsRotatorOptions, type TickReport } from './rotator';
