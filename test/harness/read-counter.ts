// Counts how often code reads one key of a JSON value, at any depth, through proxies: the test then knows how
// many times a pod spec was walked without mocking the module that walks it.

/** A JSON value wrapped for counting, and how many reads of the key it has seen. */
export interface CountedValue<T> {
  readonly value: T;
  reads(): number;
}

/**
 * Wraps `value` (objects and arrays, recursively) so that every read of a property named `key` counts once.
 * The wrapped value reads like the original: the same keys, own properties and array-ness.
 */
export function countReads<T>(value: T, key: string): CountedValue<T> {
  let count = 0;
  const wrappers = new WeakMap<object, object>();
  const wrap = (v: unknown): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    const known = wrappers.get(v);
    if (known !== undefined) return known;
    const proxy = new Proxy(v, {
      get(target, property, receiver) {
        if (property === key) count += 1;
        return wrap(Reflect.get(target, property, receiver));
      },
    });
    wrappers.set(v, proxy);
    return proxy;
  };
  return { value: wrap(value) as T, reads: () => count };
}
