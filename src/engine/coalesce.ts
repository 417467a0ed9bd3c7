/**
 * Coalesces concurrent calls with the same key into one promise, so that many pods pulling
 * the same tag at once cause one registry request. Nothing is kept after the promise settles.
 */
export class Coalescer<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  // run joins an in-flight call for `key`, or starts `fn` and shares its result until it settles.
  run(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.inflight.get(key);
    if (existing) return existing;
    const promise = fn().finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  get size(): number {
    return this.inflight.size;
  }
}
