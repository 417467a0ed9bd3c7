// Small shape checks for attacker-controlled JSON, and the two ways of naming a place in it.

// ownField reads a key only if the object itself holds it, so `__proto__`-style keys never reach the prototype.
export function ownField(obj: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Escapes one JSON-pointer segment (RFC 6901: `~` → `~0`, `/` → `~1`). */
export function escapePointerSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A JSON pointer from path segments, e.g. `['spec', 'containers', 0, 'image']` → `/spec/containers/0/image`. */
export function toPointer(segments: readonly (string | number)[]): string {
  return segments.map((s) => '/' + escapePointerSegment(String(s))).join('');
}

// Keys that can be written bare in a dotted path; anything else is quoted in brackets.
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** A dotted field path for messages, e.g. `spec.template.spec.initContainers[0].image`. */
export function toFieldPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** Names a JSON value's type for messages ("a number", "null", "an array"), never quoting the value itself. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/** Longest excerpt of an attacker-controlled string that a message quotes. */
export const MAX_QUOTED_CHARS = 80;

/** Quotes an attacker-controlled string for a message: JSON-escaped and cut to MAX_QUOTED_CHARS. */
export function quoteShort(value: string): string {
  const cut = value.length > MAX_QUOTED_CHARS ? value.slice(0, MAX_QUOTED_CHARS) + '…' : value;
  return JSON.stringify(cut);
}
