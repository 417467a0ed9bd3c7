import type { SignerIdentity } from '../policy/decide/decision.types';
import { TtlCache } from '../ttl-cache';
import { MAX_CACHED_VERDICTS, VERDICT_TTL_MS } from './limits';

interface Verdict {
  readonly summary: string;
  readonly warnings: readonly string[];
  readonly signer?: SignerIdentity;
}

/**
 * Caches successful verifications only, keyed by (digest, policy cacheKey, authority).
 * A tag is never part of the key; failures are never cached, so a newly signed image verifies at once.
 * Expiry and the bound come from TtlCache (lru-cache underneath; docs/adr/0008-libraries.md).
 */
export class VerdictCache {
  private readonly entries: TtlCache<Verdict>;

  constructor(now: () => number = Date.now, ttlMs = VERDICT_TTL_MS, maxEntries = MAX_CACHED_VERDICTS) {
    this.entries = new TtlCache(ttlMs, maxEntries, now);
  }

  // key builds the cache key; the digest must already be verified to be a digest, never a tag.
  static key(digest: string, policyCacheKey: string, authority: string): string {
    return `${digest}\u0000${policyCacheKey}\u0000${authority}`;
  }

  // get returns a live verdict, or undefined when absent or expired.
  get(key: string): Verdict | undefined {
    return this.entries.get(key);
  }

  // set stores a success for the TTL; the least recently used entry goes when full.
  set(key: string, value: Verdict): void {
    this.entries.set(key, value);
  }

  get size(): number {
    return this.entries.size;
  }
}
