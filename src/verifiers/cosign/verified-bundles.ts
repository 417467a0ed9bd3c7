import { createHash } from 'node:crypto';
import { bundleToJSON, type Bundle } from '@sigstore/bundle';
import { LRUCache } from 'lru-cache';
import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import { MAX_VERIFIED_BUNDLES } from './limits';

/**
 * Bundles whose certificate chain, SCTs, tlog entries and timestamps @sigstore/verify accepted, per trusted
 * root (a new root starts empty). The key is a digest of the whole bundle, the signed bytes and the tlog
 * settings, so a bundle differing in any byte is checked again. Only successes are kept; identity matching,
 * which differs per authority, always runs.
 */
const verified = new WeakMap<CompiledTrustedRoot, LRUCache<string, true>>();

/** The cache key of one check: everything the @sigstore/verify result depends on besides the root. */
export function verifiedBundleKey(
  bundle: Bundle,
  artifact: Buffer | undefined,
  timestamped: Buffer | undefined,
  authority: CompiledCosignAuthority,
): string {
  const hash = createHash('sha256').update(JSON.stringify(bundleToJSON(bundle)));
  for (const part of [artifact, timestamped]) {
    hash.update(part === undefined ? '\u0000-' : `\u0000${part.length}:`);
    if (part !== undefined) hash.update(part);
  }
  const tlog = `${authority.tlog.required}:${authority.tlog.rekorKeys.map((k) => k.id).join(',')}`;
  return `${hash.digest('hex')}\u0000${tlog}`;
}

/** Whether `key` passed under `root` before. */
export function wasVerified(root: CompiledTrustedRoot, key: string): boolean {
  return verified.get(root)?.get(key) === true;
}

/** Records that `key` passed under `root`. */
export function markVerified(root: CompiledTrustedRoot, key: string): void {
  let cache = verified.get(root);
  if (cache === undefined) {
    cache = new LRUCache<string, true>({ max: MAX_VERIFIED_BUNDLES });
    verified.set(root, cache);
  }
  cache.set(key, true);
}
