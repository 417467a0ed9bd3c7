import type { PodFacts } from '../admission/admission.types';

/**
 * Finds the pull credentials of a pod: its `imagePullSecrets`, then its ServiceAccount's, as
 * `.dockerconfigjson` strings in that order. Cluster mode implements it over the API server.
 * Implementations must never throw for a missing Secret (the registry will then say what is missing).
 */
export interface PullSecretSource {
  dockerConfigsFor(namespace: string, pod: PodFacts): Promise<readonly string[]>;
}
