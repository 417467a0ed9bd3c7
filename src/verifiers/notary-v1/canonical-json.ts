// Canonical JSON as Notary (github.com/docker/go/canonical/json) produces it: the bytes TUF signatures cover.

/** Deepest nesting we canonicalise; TUF metadata is four or five levels deep. */
export const MAX_CANONICAL_DEPTH = 32;

/** Thrown when a value has no canonical form (a float, an unsafe integer, a non-JSON value, too deep). */
export class CanonicalJsonError extends Error {}

/**
 * Encodes `value` the way Notary signs it: object keys sorted by their UTF-8 bytes, no whitespace, only `\`
 * and `"` escaped inside strings (every other character written as is), integers only.
 * Throws CanonicalJsonError for values with no canonical form. `value` is attacker-controlled.
 */
export function toCanonicalJson(value: unknown): Buffer {
  const parts: string[] = [];
  encode(value, parts, 0);
  return Buffer.from(parts.join(''), 'utf8');
}

// encode appends the canonical text of one value.
function encode(value: unknown, out: string[], depth: number): void {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalJsonError(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (value === null) out.push('null');
  else if (value === true || value === false) out.push(String(value));
  else if (typeof value === 'string') out.push(quote(value));
  else if (typeof value === 'number') out.push(integer(value));
  else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item: unknown, i) => {
      if (i > 0) out.push(',');
      encode(item, out, depth + 1);
    });
    out.push(']');
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => byteOrder(a, b));
    out.push('{');
    entries.forEach(([k, v], i) => {
      if (i > 0) out.push(',');
      out.push(quote(k), ':');
      encode(v, out, depth + 1);
    });
    out.push('}');
  } else {
    throw new CanonicalJsonError(`a ${typeof value} has no JSON form`);
  }
}

// quote escapes only backslash and double quote, as docker/go's canonical encoder does.
function quote(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

// integer refuses floats and integers JavaScript cannot hold exactly: their canonical form is undefined.
function integer(n: number): string {
  if (!Number.isSafeInteger(n)) throw new CanonicalJsonError(`number ${n} is not a safe integer`);
  return Object.is(n, -0) ? '0' : String(n);
}

// byteOrder compares keys by their UTF-8 bytes (Go's sort), which differs from UTF-16 order for astral characters.
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
