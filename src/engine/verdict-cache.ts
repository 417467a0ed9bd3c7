import { LRUCache } from 'lru-cache';
import { MAX_CACHED_VERDICTS, VERDICT_TTL_MS } from './limits';

interface Verdict {
  readonly summary: string;
  readonly warnings: readonly string[];
}

/**
 * Caches successful verifications only, keyed by (digest, policy cacheKey, authority).
 * A tag is never part of the key; failures are never cached, so a newly signed image verifies at once.
 * Bounded by lru-cache (the least recently used verdict goes first); the TTL is checked here against the
 * injected clock, so a verdict expires exactly `ttlMs` after it was stored (docs/adr/0008-libraries.md).
 */
export class VerdictCache {
  private readonly entries: LRUCache<string, Verdict & { readonly expires: number }>;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = VERDICT_TTL_MS,
    maxEntries = MAX_CACHED_VERDICTS,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  // key builds the cache key; the digest must already be verified to be a digest, never a tag.
  static key(digest: string, policyCacheKey: string, authority: string): string {
    return `${digest}\u0000${policyCacheKey}\u0000${authority}`;
  }

  // get returns a live entry, dropping it when expired.
  get(key: string): Verdict | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // set stores a success for ttlMs; lru-cache evicts the least recently used entry when full.
  set(key: string, value: Verdict): void {
    this.entries.set(key, { ...value, expires: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
