import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ConfigMapLookup, SecretLookup } from '../policy';
import { configMapData, readConfigMap, type ConfigMapReader } from './configmaps';
import { describeApiError, type KubeErrorCode } from './errors';
import type { SecretKey } from './policy-objects';
import { decodeSecretData, readSecret, type SecretReader } from './secrets';

/**
 * Policy Secrets and ConfigMaps are re-read this often, so a rotated key, pull secret or trusted root takes
 * effect without an edit of the policy.
 */
export const POLICY_SECRET_REFRESH_MS = 60_000;
/** Secret (and ConfigMap) GETs in flight at once while syncing. */
export const MAX_PARALLEL_SECRET_READS = 8;

interface Entry {
  readonly data: Readonly<Record<string, string>>;
  /** A hash of the contents, to notice rotation without comparing (or keeping twice) the secrets. */
  readonly digest: string;
}

/** What reading one referenced object gave: its keys, nothing (not found), or "too large" (ignored). */
type ReadResult = Readonly<Record<string, string>> | undefined | 'too-large';

/** How one kind of referenced object is read. */
interface ObjectKind {
  /** `Secret` or `ConfigMap`, for log messages. */
  readonly kind: string;
  /** The log field naming the object (`secret`, `configMap`). */
  readonly field: string;
  /** The code logged when a read fails for a reason other than "not found". */
  readonly failureCode: KubeErrorCode;
  read(namespace: string, name: string): Promise<ReadResult>;
}

// digestOf fingerprints decoded data in a key-order-independent way.
function digestOf(data: Readonly<Record<string, string>>): string {
  const hash = createHash('sha256');
  for (const key of Object.keys(data).sort())
    hash
      .update(key)
      .update('\0')
      .update(data[key] ?? '')
      .update('\0');
  return hash.digest('hex');
}

/**
 * Objects that policies reference by name, fetched by GET before compiling (async) and served to the compiler
 * through a synchronous lookup. Only named objects are ever read: no list, no watch (ADR 0006).
 */
class ReferencedObjectCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly objects: ObjectKind,
    private readonly logger: Logger,
  ) {}

  /** The compiler's synchronous view: what the last sync read, or undefined. */
  get(namespace: string, name: string): Readonly<Record<string, string>> | undefined {
    return this.entries.get(`${namespace}/${name}`)?.data;
  }

  /**
   * Makes the cache hold exactly `refs`: reads those not cached (all of them when `refresh`), forgets the
   * rest. Resolves true when anything the compiler would see changed. A read that fails (other than
   * "not found") keeps the previous contents, so an API-server blip never breaks a working policy.
   */
  async sync(refs: readonly SecretKey[], refresh: boolean): Promise<boolean> {
    const wanted = new Set(refs.map((r) => `${r.namespace}/${r.name}`));
    let changed = false;
    for (const key of [...this.entries.keys()]) {
      if (!wanted.has(key)) {
        this.entries.delete(key);
        changed = true;
      }
    }
    const todo = refs.filter((r) => refresh || !this.entries.has(`${r.namespace}/${r.name}`));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < todo.length) {
        const ref = todo[next++] as SecretKey;
        if (await this.readOne(ref)) changed = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_PARALLEL_SECRET_READS, todo.length) }, worker));
    return changed;
  }

  // readOne refreshes one entry; true when what the compiler sees for it changed.
  private async readOne(ref: SecretKey): Promise<boolean> {
    const key = `${ref.namespace}/${ref.name}`;
    const { kind, field } = this.objects;
    const before = this.entries.get(key);
    try {
      const data = await this.objects.read(ref.namespace, ref.name);
      if (data === 'too-large') this.logger.warn({ [field]: key }, `policy ${kind} is too large; ignored`);
      if (data === undefined) this.logger.debug({ [field]: key }, `policy ${kind} not found`);
      if (data === undefined || data === 'too-large') {
        this.entries.delete(key);
        return before !== undefined;
      }
      const digest = digestOf(data);
      this.entries.set(key, { data, digest });
      return before?.digest !== digest;
    } catch (error) {
      this.logger.warn(
        { code: this.objects.failureCode, [field]: key, reason: describeApiError(error) },
        `could not read a ${kind} a policy references; keeping what was read before`,
      );
      return false;
    }
  }
}

/** The Secrets policies reference (cosign keys, registry credentials), decoded; never logged or quoted. */
export class PolicySecretCache extends ReferencedObjectCache implements SecretLookup {
  constructor(core: SecretReader, logger: Logger) {
    super(
      {
        kind: 'Secret',
        field: 'secret',
        failureCode: 'KUBE_SECRET_READ_FAILED',
        read: async (namespace, name) => {
          const secret = await readSecret(core, namespace, name);
          if (!secret) return undefined;
          return decodeSecretData(secret) ?? 'too-large';
        },
      },
      logger,
    );
  }
}

/** The ConfigMaps policies reference (cosign `keyless.trustedRoot.configMapRef`). */
export class PolicyConfigMapCache extends ReferencedObjectCache implements ConfigMapLookup {
  constructor(core: ConfigMapReader, logger: Logger) {
    super(
      {
        kind: 'ConfigMap',
        field: 'configMap',
        failureCode: 'KUBE_CONFIGMAP_READ_FAILED',
        read: async (namespace, name) => {
          const configMap = await readConfigMap(core, namespace, name);
          if (!configMap) return undefined;
          return configMapData(configMap) ?? 'too-large';
        },
      },
      logger,
    );
  }
}
