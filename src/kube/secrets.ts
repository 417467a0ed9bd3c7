import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { isNotFound, KubeError, toKubeError, withTimeout } from './errors';

/** One Secret GET waits at most this long. */
export const SECRET_READ_TIMEOUT_MS = 5_000;
/** Secrets larger than this (decoded, all keys) are ignored; the API server's own limit is 1 MiB. */
export const MAX_SECRET_BYTES = 1024 * 1024;

export type SecretReader = Pick<CoreV1Api, 'readNamespacedSecret'>;

/**
 * GETs exactly one Secret by name: undefined when it does not exist, KubeError KUBE_SECRET_READ_FAILED
 * (or KUBE_TIMEOUT) otherwise. Errors name the Secret, never its contents.
 */
export async function readSecret(
  core: SecretReader,
  namespace: string,
  name: string,
): Promise<V1Secret | undefined> {
  const what = `read Secret ${namespace}/${name}`;
  try {
    return await withTimeout(core.readNamespacedSecret({ namespace, name }), SECRET_READ_TIMEOUT_MS, what);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (error instanceof KubeError) throw error;
    throw toKubeError('KUBE_SECRET_READ_FAILED', what, error);
  }
}

/**
 * A Secret's `data`, base64-decoded to UTF-8 strings (the form SecretLookup promises). Returns undefined
 * when the Secret is larger than MAX_SECRET_BYTES. The values are secret: never log or quote them.
 */
export function decodeSecretData(secret: V1Secret): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    if (typeof value !== 'string') continue;
    const decoded = Buffer.from(value, 'base64');
    bytes += decoded.length;
    if (bytes > MAX_SECRET_BYTES) return undefined;
    out[key] = decoded.toString('utf8');
  }
  return out;
}
