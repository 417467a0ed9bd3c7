/**
 * What the engine needs from the cache shared by all replicas (src/shared-cache/ implements it on Valkey).
 * Every method is bounded and never throws for a store problem: a miss, or running locally, is the fallback.
 * Values read back were written by this deployment under that kind and key (the store checks an HMAC), but
 * the engine still parses them as untrusted JSON.
 */
export interface SharedStore {
  get(
    kind: SharedKind,
    key: string,
    bounds?: { deadline?: number; signal?: AbortSignal },
  ): Promise<string | undefined>;
  set(
    kind: SharedKind,
    key: string,
    value: string,
    ttlMs: number,
    bounds?: { deadline?: number; signal?: AbortSignal },
  ): Promise<void>;
  singleFlight(
    key: string,
    deadline: number,
    run: () => Promise<{ value: string; kind: SharedKind; ttlMs: number }>,
    signal?: AbortSignal,
  ): Promise<{ value: string; kind: SharedKind; source: 'ran' | 'shared' | 'local' }>;
}

export type SharedKind = 'verdict' | 'resolution' | 'negative';
