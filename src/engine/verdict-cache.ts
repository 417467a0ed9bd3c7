import { MAX_CACHED_VERDICTS, VERDICT_TTL_MS } from './limits';

/**
 * Caches successful verifications only, keyed by (digest, policy cacheKey, authority).
 * A tag is never part of the key; failures are never cached, so a newly signed image verifies at once.
 */
export class VerdictCache {
  private readonly entries = new Map<
    string,
    { summary: string; warnings: readonly string[]; expires: number }
  >();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = VERDICT_TTL_MS,
    private readonly maxEntries = MAX_CACHED_VERDICTS,
  ) {}

  // key builds the cache key; the digest must already be verified to be a digest, never a tag.
  static key(digest: string, policyCacheKey: string, authority: string): string {
    return `${digest}\u0000${policyCacheKey}\u0000${authority}`;
  }

  // get returns a live entry, dropping it when expired.
  get(key: string): { summary: string; warnings: readonly string[] } | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  // set stores a success, evicting the oldest entry when full (Map keeps insertion order).
  set(key: string, value: { summary: string; warnings: readonly string[] }): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { ...value, expires: this.now() + this.ttlMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
