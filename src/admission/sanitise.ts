// Text hygiene for what goes back to the API server: no control characters, valid UTF-8, bounded length.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0 and C1 controls, DEL, and the bidirectional overrides that can make a terminal line lie.
const CONTROLS_ALL = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
// The same, but keeping newline and tab, for multi-line denial messages.
const CONTROLS_KEEP_LINES = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** The marker that ends a shortened text. */
export const ELLIPSIS = '…';

/** Replaces lone UTF-16 surrogates (which cannot be encoded as UTF-8) with U+FFFD. */
export function toWellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/** One line: every control character becomes a space, runs of spaces collapse, ends are trimmed. */
export function toSingleLine(text: string): string {
  return toWellFormed(text).replace(CONTROLS_ALL, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Multi-line text: CRLF becomes LF, other control characters become spaces; newlines and tabs stay. */
export function toMultiLine(text: string): string {
  return toWellFormed(text).replace(/\r\n?/g, '\n').replace(CONTROLS_KEEP_LINES, ' ');
}

/** Cuts `text` to at most `maxChars` code points, ending with `…` when cut. */
export function truncateChars(text: string, maxChars: number): string {
  const points = Array.from(text);
  if (points.length <= maxChars) return text;
  return points.slice(0, Math.max(0, maxChars - 1)).join('') + ELLIPSIS;
}

/** Length in code points (what the API server calls runes). */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

const encoder = new TextEncoder();

/** UTF-8 byte length. */
export function utf8Length(text: string): number {
  return encoder.encode(text).length;
}

/** Cuts well-formed `text` to at most `maxBytes` UTF-8 bytes on a code-point boundary, then appends `note`. */
export function truncateUtf8(text: string, maxBytes: number, note: string): string {
  if (utf8Length(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Length(note);
  let used = 0;
  let out = '';
  for (const point of text) {
    const size = utf8Length(point);
    if (used + size > budget) break;
    used += size;
    out += point;
  }
  return out + note;
}
