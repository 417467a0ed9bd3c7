import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { PodFacts } from '../admission/admission.types';
import type { PullSecretSource } from '../engine/pull-secrets.types';
import { Keychain } from '../registry';
import { describeApiError, isNotFound, withTimeout } from './errors';
import { decodeSecretData, readSecret, SECRET_READ_TIMEOUT_MS } from './secrets';
import { TtlCache } from '../ttl-cache';
import { isRecord } from '../guards';

/** Pull secrets and ServiceAccounts are cached this long: short, so a rotated secret is picked up quickly. */
export const PULL_SECRET_CACHE_TTL_MS = 10_000;
/** Entries held in each of the two caches (secrets, ServiceAccounts). */
export const MAX_PULL_SECRET_CACHE_ENTRIES = 2048;
/** At most this many pull secrets (pod's, then ServiceAccount's) are read for one pod. */
export const MAX_PULL_SECRETS_PER_POD = 16;
/** The ServiceAccount a pod runs as when its spec names none. */
export const DEFAULT_SERVICE_ACCOUNT = 'default';

const DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
const DOCKER_CFG = 'kubernetes.io/dockercfg';

export type PullSecretApi = Pick<CoreV1Api, 'readNamespacedSecret' | 'readNamespacedServiceAccount'>;

/**
 * Pull credentials of a pod from the API server: its `imagePullSecrets`, then its ServiceAccount's, each
 * Secret read by name (GET). Like the kubelet, only `kubernetes.io/dockerconfigjson` and
 * `kubernetes.io/dockercfg` Secrets count. Missing or unreadable Secrets are skipped (logged, never thrown),
 * and Secret contents are never logged.
 */
export class KubePullSecretSource implements PullSecretSource {
  private readonly secrets: TtlCache<Promise<string | undefined>>;
  private readonly accounts: TtlCache<Promise<readonly string[]>>;

  constructor(
    private readonly core: PullSecretApi,
    private readonly logger: Logger,
    now: () => number = Date.now,
  ) {
    this.secrets = new TtlCache(PULL_SECRET_CACHE_TTL_MS, MAX_PULL_SECRET_CACHE_ENTRIES, now);
    this.accounts = new TtlCache(PULL_SECRET_CACHE_TTL_MS, MAX_PULL_SECRET_CACHE_ENTRIES, now);
  }

  /** The pod's pull secrets, then its ServiceAccount's, as docker config JSON; never rejects. */
  async dockerConfigsFor(namespace: string, pod: PodFacts): Promise<readonly string[]> {
    const account = pod.serviceAccountName || DEFAULT_SERVICE_ACCOUNT;
    const fromAccount = await this.accounts.getOrSet(`${namespace}/${account}`, () =>
      this.readAccount(namespace, account),
    );
    const names = [...new Set([...pod.imagePullSecrets, ...fromAccount])]
      .filter((n) => n !== '')
      .slice(0, MAX_PULL_SECRETS_PER_POD);
    const configs = await Promise.all(
      names.map((name) =>
        this.secrets.getOrSet(`${namespace}/${name}`, () => this.readPullSecret(namespace, name)),
      ),
    );
    return configs.filter((c): c is string => c !== undefined);
  }

  // readAccount returns the names of a ServiceAccount's imagePullSecrets; none when it cannot be read.
  private async readAccount(namespace: string, name: string): Promise<readonly string[]> {
    const what = `read ServiceAccount ${namespace}/${name}`;
    try {
      const sa = await withTimeout(
        this.core.readNamespacedServiceAccount({ namespace, name }),
        SECRET_READ_TIMEOUT_MS,
        what,
      );
      return (sa.imagePullSecrets ?? []).flatMap((r) => (typeof r.name === 'string' ? [r.name] : []));
    } catch (error) {
      if (isNotFound(error)) this.logger.debug({ serviceAccount: `${namespace}/${name}` }, 'not found');
      else
        this.logger.warn(
          {
            code: 'KUBE_SECRET_READ_FAILED',
            serviceAccount: `${namespace}/${name}`,
            reason: describeApiError(error),
          },
          'could not read the ServiceAccount of a pod; its pull secrets are skipped',
        );
      return [];
    }
  }

  // readPullSecret returns one pull secret as .dockerconfigjson text, or undefined (skipped) with a log line.
  private async readPullSecret(namespace: string, name: string): Promise<string | undefined> {
    const id = `${namespace}/${name}`;
    try {
      const secret = await readSecret(this.core, namespace, name);
      if (!secret) {
        this.logger.debug({ secret: id }, 'pull secret not found; skipped');
        return undefined;
      }
      const data = decodeSecretData(secret) ?? {};
      const text =
        secret.type === DOCKER_CONFIG_JSON
          ? data['.dockerconfigjson']
          : secret.type === DOCKER_CFG && data['.dockercfg'] !== undefined
            ? `{"auths":${data['.dockercfg']}}`
            : undefined;
      if (text === undefined) {
        this.logger.debug({ secret: id, type: secret.type }, 'not a docker config pull secret; skipped');
        return undefined;
      }
      Keychain.fromDockerConfigJson(text); // throws, without quoting it, when it is not a docker config
      if (namesCredentialHelpers(text)) {
        // Never run in the cluster (docs/operations.md#credential-helpers); say so rather than ignore it silently.
        this.logger.warn(
          { secret: id },
          'pull secret names credential helpers (credHelpers/credsStore); the webhook never runs them and uses only its "auths"',
        );
      }
      return text;
    } catch (error) {
      this.logger.warn(
        { code: 'KUBE_SECRET_READ_FAILED', secret: id, reason: describeApiError(error) },
        'pull secret unusable; skipped',
      );
      return undefined;
    }
  }
}

// namesCredentialHelpers: a docker config with `credHelpers` or `credsStore` at its top level (already parsed once).
function namesCredentialHelpers(text: string): boolean {
  const parsed: unknown = JSON.parse(text);
  return isRecord(parsed) && ('credHelpers' in parsed || 'credsStore' in parsed);
}
