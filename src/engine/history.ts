import type { Descriptor } from '../registry/registry.types';
import { MAX_STALENESS_MS } from '../policy/limits';
import { TtlCache } from '../ttl-cache';
import { MAX_CACHED_RESOLUTIONS, MAX_CACHED_VERDICTS } from './limits';

/**
 * What this replica verified and resolved, and when, kept for MAX_STALENESS_MS: the only evidence
 * `registry.onError: allowVerified` may stand on when the registry cannot be reached. Nothing that was never
 * verified here is in it, and an entry older than a policy's maxStaleness is never used.
 */
export class VerificationHistory {
  private readonly verified: TtlCache<number>;
  private readonly resolved: TtlCache<{ readonly descriptor: Descriptor; readonly at: number }>;

  constructor(private readonly now: () => number = Date.now) {
    this.verified = new TtlCache(MAX_STALENESS_MS, MAX_CACHED_VERDICTS, now);
    this.resolved = new TtlCache(MAX_STALENESS_MS, MAX_CACHED_RESOLUTIONS, now);
  }

  // recordVerified notes a successful verification under its verdict-cache key.
  recordVerified(verdictKey: string): void {
    this.verified.set(verdictKey, this.now());
  }

  // verifiedWithin answers when `verdictKey` last verified, if no longer ago than maxAgeMs.
  verifiedWithin(verdictKey: string, maxAgeMs: number): number | undefined {
    const at = this.verified.get(verdictKey);
    return at !== undefined && this.now() - at <= maxAgeMs ? at : undefined;
  }

  // recordResolved notes which digest a reference resolved to (resolution-cache key).
  recordResolved(resolutionKey: string, descriptor: Descriptor): void {
    this.resolved.set(resolutionKey, { descriptor, at: this.now() });
  }

  // resolvedWithin answers the last resolution of a reference, if no older than maxAgeMs.
  resolvedWithin(
    resolutionKey: string,
    maxAgeMs: number,
  ): { readonly descriptor: Descriptor; readonly at: number } | undefined {
    const last = this.resolved.get(resolutionKey);
    return last !== undefined && this.now() - last.at <= maxAgeMs ? last : undefined;
  }
}
