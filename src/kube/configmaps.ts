import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { isNotFound, KubeError, toKubeError, withTimeout } from './errors';

/** One ConfigMap GET waits at most this long. */
export const CONFIGMAP_READ_TIMEOUT_MS = 5_000;
/** ConfigMaps larger than this (`data` and decoded `binaryData`) are ignored; the API server's limit is 1 MiB. */
export const MAX_CONFIGMAP_BYTES = 1024 * 1024;

export type ConfigMapReader = Pick<CoreV1Api, 'readNamespacedConfigMap'>;

/**
 * GETs exactly one ConfigMap by name: undefined when it does not exist, KubeError KUBE_CONFIGMAP_READ_FAILED
 * (or KUBE_TIMEOUT) otherwise.
 */
export async function readConfigMap(
  core: ConfigMapReader,
  namespace: string,
  name: string,
): Promise<V1ConfigMap | undefined> {
  const what = `read ConfigMap ${namespace}/${name}`;
  try {
    return await withTimeout(
      core.readNamespacedConfigMap({ namespace, name }),
      CONFIGMAP_READ_TIMEOUT_MS,
      what,
    );
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (error instanceof KubeError) throw error;
    throw toKubeError('KUBE_CONFIGMAP_READ_FAILED', what, error);
  }
}

/**
 * A ConfigMap's keys as strings (the form ConfigMapLookup promises): `data` as is, `binaryData` decoded from
 * base64 to UTF-8. Undefined when it holds more than MAX_CONFIGMAP_BYTES.
 */
export function configMapData(configMap: V1ConfigMap): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let bytes = 0;
  const entries: [string, string][] = [
    ...Object.entries(configMap.data ?? {}),
    ...Object.entries(configMap.binaryData ?? {}).map(([k, v]): [string, string] => [
      k,
      typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : '',
    ]),
  ];
  for (const [key, value] of entries) {
    if (typeof value !== 'string') continue;
    bytes += Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_CONFIGMAP_BYTES) return undefined;
    out[key] = value;
  }
  return out;
}
