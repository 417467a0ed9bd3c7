import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { SecretLookup } from '../policy';
import { describeApiError } from './errors';
import type { SecretKey } from './policy-objects';
import { decodeSecretData, readSecret, type SecretReader } from './secrets';

/** Policy Secrets are re-read this often, so a rotated key or pull secret takes effect without an edit. */
export const POLICY_SECRET_REFRESH_MS = 60_000;
/** Secret GETs in flight at once while syncing. */
export const MAX_PARALLEL_SECRET_READS = 8;

interface Entry {
  readonly data: Readonly<Record<string, string>>;
  /** A hash of the contents, to notice rotation without comparing (or keeping twice) the secrets. */
  readonly digest: string;
}

// digestOf fingerprints decoded Secret data in a key-order-independent way.
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
 * The Secrets that policies reference, fetched by GET before compiling (async) and served to the compiler
 * through the synchronous SecretLookup. Only named Secrets are ever read: no list, no watch (ADR 0006).
 */
export class PolicySecretCache implements SecretLookup {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly core: SecretReader,
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
    const before = this.entries.get(key);
    try {
      const secret = await readSecret(this.core, ref.namespace, ref.name);
      const data = secret ? decodeSecretData(secret) : undefined;
      if (secret && !data) this.logger.warn({ secret: key }, 'policy Secret is too large; ignored');
      if (!data) {
        if (!secret) this.logger.debug({ secret: key }, 'policy Secret not found');
        this.entries.delete(key);
        return before !== undefined;
      }
      const digest = digestOf(data);
      this.entries.set(key, { data, digest });
      return before?.digest !== digest;
    } catch (error) {
      this.logger.warn(
        { code: 'KUBE_SECRET_READ_FAILED', secret: key, reason: describeApiError(error) },
        'could not read a Secret a policy references; keeping what was read before',
      );
      return false;
    }
  }
}
