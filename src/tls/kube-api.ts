import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1MutatingWebhookConfiguration,
  type V1Secret,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { apiStatusOf, describeApiError, KubeError, withTimeout } from '../kube/errors';
import { TlsError, type TlsErrorCode } from './errors';
import { TLS_API_TIMEOUT_MS } from './limits';

/**
 * The API-server calls of the rotator, narrowed to what it uses (each maps to one rule of the chart's
 * rbac-self-managed-tls.yaml), so tests hand in the real API server or small fakes.
 */
export interface TlsKubeClients {
  readonly core: Pick<CoreV1Api, 'readNamespacedSecret' | 'replaceNamespacedSecret'>;
  readonly admission: Pick<
    AdmissionregistrationV1Api,
    | 'readValidatingWebhookConfiguration'
    | 'patchValidatingWebhookConfiguration'
    | 'readMutatingWebhookConfiguration'
    | 'patchMutatingWebhookConfiguration'
  >;
}

/** The real clients for one KubeConfig. */
export function createTlsKubeClients(kc: KubeConfig): TlsKubeClients {
  return {
    core: kc.makeApiClient(CoreV1Api),
    admission: kc.makeApiClient(AdmissionregistrationV1Api),
  };
}

/** A webhook configuration whose caBundle the rotator keeps current. */
export interface WebhookConfigRef {
  readonly kind: 'validating' | 'mutating';
  readonly name: string;
}

/** The names and caBundles (PEM, decoded) of a configuration's webhooks. */
export interface WebhookBundles {
  readonly webhooks: readonly { readonly name: string; readonly caBundle: string }[];
}

/** Thrown by replaceSecret when someone else updated the Secret first (HTTP 409). */
export class SecretConflict extends Error {}

// toTlsError wraps a failed API call once, naming the object; a timeout or other failure is TLS_API_FAILED.
function toTlsError(code: TlsErrorCode, what: string, error: unknown): TlsError {
  const status = apiStatusOf(error);
  const hint =
    status === 403 ? ' (the ServiceAccount needs the rules of the chart’s rbac-self-managed-tls.yaml)' : '';
  return new TlsError(
    error instanceof KubeError ? 'TLS_API_FAILED' : code,
    `${what}: ${describeApiError(error)}${hint}`,
    {
      cause: error,
      details: { ...(status !== undefined ? { status } : {}) },
    },
  );
}

/** GETs the TLS Secret; TLS_SECRET_NOT_FOUND when it does not exist (the chart creates it). */
export async function readTlsSecret(
  clients: TlsKubeClients,
  namespace: string,
  name: string,
): Promise<V1Secret> {
  const what = `read Secret ${namespace}/${name}`;
  try {
    return await withTimeout(
      clients.core.readNamespacedSecret({ namespace, name }),
      TLS_API_TIMEOUT_MS,
      what,
    );
  } catch (error) {
    if (apiStatusOf(error) !== 404) throw toTlsError('TLS_API_FAILED', what, error);
    throw new TlsError(
      'TLS_SECRET_NOT_FOUND',
      `${what}: not found; it holds the webhook CA and is created by the Helm chart (self-managed TLS): ` +
        'run helm upgrade, or create it with ca.crt, ca.key, tls.crt and tls.key',
      { cause: error },
    );
  }
}

/** PUTs the Secret with its resourceVersion; SecretConflict when another replica won the race. */
export async function replaceTlsSecret(clients: TlsKubeClients, secret: V1Secret): Promise<V1Secret> {
  const namespace = secret.metadata?.namespace ?? '';
  const name = secret.metadata?.name ?? '';
  const what = `update Secret ${namespace}/${name}`;
  try {
    return await withTimeout(
      clients.core.replaceNamespacedSecret({ namespace, name, body: secret }),
      TLS_API_TIMEOUT_MS,
      what,
    );
  } catch (error) {
    if (apiStatusOf(error) === 409) throw new SecretConflict(`${what}: changed by someone else`);
    throw toTlsError('TLS_SECRET_UPDATE_FAILED', what, error);
  }
}

// kindName names a configuration in messages.
function kindName(ref: WebhookConfigRef): string {
  return `${ref.kind === 'validating' ? 'ValidatingWebhookConfiguration' : 'MutatingWebhookConfiguration'} ${ref.name}`;
}

/** Reads the webhooks of one configuration with their caBundles; TLS_WEBHOOK_CONFIG_NOT_FOUND when absent. */
export async function readWebhookBundles(
  clients: TlsKubeClients,
  ref: WebhookConfigRef,
): Promise<WebhookBundles> {
  const what = `read ${kindName(ref)}`;
  let config: V1ValidatingWebhookConfiguration | V1MutatingWebhookConfiguration;
  try {
    config = await withTimeout(
      ref.kind === 'validating'
        ? clients.admission.readValidatingWebhookConfiguration({ name: ref.name })
        : clients.admission.readMutatingWebhookConfiguration({ name: ref.name }),
      TLS_API_TIMEOUT_MS,
      what,
    );
  } catch (error) {
    throw toTlsError(
      apiStatusOf(error) === 404 ? 'TLS_WEBHOOK_CONFIG_NOT_FOUND' : 'TLS_API_FAILED',
      what,
      error,
    );
  }
  return {
    webhooks: (config.webhooks ?? []).map((w) => ({
      name: w.name,
      caBundle: Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString('utf8'),
    })),
  };
}

/**
 * Sets caBundle of every webhook in one configuration with a JSON patch that first tests each webhook's
 * name at its index, so a configuration edited in between is refused (and retried) rather than mis-patched.
 */
export async function patchWebhookBundles(
  clients: TlsKubeClients,
  ref: WebhookConfigRef,
  current: WebhookBundles,
  bundlePem: string,
): Promise<void> {
  const value = Buffer.from(bundlePem, 'utf8').toString('base64');
  const body = current.webhooks.flatMap((w, i) => [
    { op: 'test', path: `/webhooks/${i}/name`, value: w.name },
    { op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value },
  ]);
  const options = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
  const what = `patch caBundle of ${kindName(ref)}`;
  try {
    await withTimeout(
      ref.kind === 'validating'
        ? clients.admission.patchValidatingWebhookConfiguration({ name: ref.name, body }, options)
        : clients.admission.patchMutatingWebhookConfiguration({ name: ref.name, body }, options),
      TLS_API_TIMEOUT_MS,
      what,
    );
  } catch (error) {
    throw toTlsError('TLS_WEBHOOK_PATCH_FAILED', what, error);
  }
}
