import type { SignerIdentity } from '../policy/decide/decision.types';
import type { CompiledAuthority, CompiledPolicy } from '../policy/compile/compiled.types';
import type { ImageRef } from '../reference/reference.types';
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

  // key builds the cache key; the digest must already be verified to be a digest, never a tag. `scope` names
  // the reference for schemes whose verdict depends on it (see verdictKey), and is empty otherwise.
  static key(digest: string, policyCacheKey: string, authority: string, scope = ''): string {
    return `${digest}\u0000${policyCacheKey}\u0000${authority}\u0000${scope}`;
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

// verdictKey is the cache key of one authority's verdict on `digest` as used through `ref`: for reference-bound
// schemes it adds the repository and tag, so the same digest under another name is verified again. The pinned
// form `repo:tag@digest` that /mutate writes keeps the tag, so /validate still finds the verdict.
export function verdictKey(
  ref: ImageRef,
  digest: string,
  policy: Pick<CompiledPolicy, 'cacheKey'>,
  authority: Pick<CompiledAuthority, 'name' | 'referenceBound'>,
): string {
  const scope = authority.referenceBound ? `${ref.name}:${ref.tag ?? ''}` : '';
  return VerdictCache.key(digest, policy.cacheKey, authority.name, scope);
}
