import type { CompiledPolicy } from '../policy/compile/compiled.types';

/**
 * The policies in force at one moment. Sources (policy folder, cluster informers) publish a new
 * snapshot on every change; a request uses the one it started with from start to end.
 */
export interface PolicySnapshot {
  readonly policies: readonly CompiledPolicy[];
  /**
   * Policies that failed to compile. Their globs still select images, and those images are denied
   * (fail closed) with `reason`, so a typo in a policy never silently opens the door.
   */
  readonly broken: readonly BrokenPolicy[];
}

/** A policy that did not compile, kept as a stand-in that denies what it would have governed. */
export interface BrokenPolicy {
  /** A stand-in with mode enforce, no authorities and break-glass as written (or allowed when unreadable). */
  readonly policy: CompiledPolicy;
  readonly code: string;
  readonly reason: string;
}

/** A source of snapshots, plus readiness for /readyz. */
export interface PolicySource {
  current(): PolicySnapshot;
  /** True once the first full load/sync has happened. */
  ready(): boolean;
}

export const EMPTY_SNAPSHOT: PolicySnapshot = Object.freeze({ policies: [], broken: [] });
