import { MAX_CEL_PREDICATE_DEPTH, MAX_CEL_PREDICATE_VALUES } from '../limits';

/**
 * A JSON value as CEL reads it: integers as `bigint` (CEL int), other numbers as `number` (CEL double),
 * arrays as lists and objects as `Map`s (CEL maps with string keys).
 */
export type CelJson =
  null | boolean | string | bigint | number | readonly CelJson[] | ReadonlyMap<string, CelJson>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Thrown inside the conversion only; toCelJson returns its message. */
class NotConvertible extends Error {}

/**
 * Converts a parsed JSON predicate (attacker-controlled) into CEL input, or says why it cannot. A JSON number
 * that is an integer within ±(2^53 − 1) becomes a CEL int, so `critical == 0` and `size(x) == n` compare as
 * written; any other number becomes a double. Nesting and size are bounded (MAX_CEL_PREDICATE_DEPTH,
 * MAX_CEL_PREDICATE_VALUES) before any condition runs.
 */
export function toCelJson(json: unknown): { readonly value: CelJson } | { readonly error: string } {
  const counter = { values: 0 };
  try {
    return { value: convert(json, 0, counter) };
  } catch (e) {
    if (e instanceof NotConvertible) return { error: e.message };
    throw e;
  }
}

// convert walks one value; recursion is bounded by MAX_CEL_PREDICATE_DEPTH.
function convert(json: unknown, depth: number, counter: { values: number }): CelJson {
  counter.values += 1;
  if (counter.values > MAX_CEL_PREDICATE_VALUES) {
    throw new NotConvertible(`the predicate has more than ${MAX_CEL_PREDICATE_VALUES} JSON values`);
  }
  switch (typeof json) {
    case 'string':
    case 'boolean':
      return json;
    case 'number':
      return Number.isSafeInteger(json) ? BigInt(json) : json;
    case 'bigint':
      if (json < INT64_MIN || json > INT64_MAX)
        throw new NotConvertible('the predicate has an integer out of int64 range');
      return json;
    case 'object':
      break;
    case 'undefined':
    case 'function':
    case 'symbol':
      throw new NotConvertible(`the predicate holds a ${typeof json}, which is not JSON`);
  }
  if (json === null) return null;
  if (depth >= MAX_CEL_PREDICATE_DEPTH) {
    throw new NotConvertible(`the predicate is nested more than ${MAX_CEL_PREDICATE_DEPTH} levels deep`);
  }
  if (Array.isArray(json)) return json.map((item: unknown) => convert(item, depth + 1, counter));
  const proto: unknown = Object.getPrototypeOf(json);
  if (proto !== Object.prototype && proto !== null) {
    throw new NotConvertible('the predicate holds an object that is not plain JSON');
  }
  const map = new Map<string, CelJson>();
  for (const [key, value] of Object.entries(json)) map.set(key, convert(value, depth + 1, counter));
  return map;
}
