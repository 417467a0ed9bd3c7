import { LRUCache } from 'lru-cache';

/**
 * A small map whose entries expire `ttlMs` after they were stored and which holds at most `maxEntries`
 * (lru-cache evicts the least recently used). The expiry is checked here against the injected clock, so an
 * entry expires exactly on time (docs/adr/0008-libraries.md). Values are usually promises, so concurrent
 * lookups of one key share one API call, and a settled answer (even "not found") is kept for the TTL.
 */
export class TtlCache<V> {
  private readonly entries: LRUCache<string, { readonly value: V; readonly expires: number }>;

  constructor(
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** The live value for `key`, or undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Stores `value` for ttlMs; the least recently used entries beyond maxEntries are evicted. */
  set(key: string, value: V): void {
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  /** The value for `key`, computing and storing it when missing or expired. */
  getOrSet(key: string, compute: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = compute();
    this.set(key, value);
    return value;
  }

  /** Drops `key` (a failed answer that must not be reused). */
  delete(key: string): void {
    this.entries.delete(key);
  }

  /** How long an entry lives. */
  get ttl(): number {
    return this.ttlMs;
  }

  /** How many entries are held (expired ones included until touched). */
  get size(): number {
    return this.entries.size;
  }
}
