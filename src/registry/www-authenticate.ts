// Parses WWW-Authenticate (RFC 7235) challenges. The header is attacker-controlled: bounded, no regex backtracking.

/** One challenge: scheme lower-cased; param names lower-cased; values unquoted. */
export interface Challenge {
  readonly scheme: string;
  readonly params: ReadonlyMap<string, string>;
}

/** Challenges read from one header; more are ignored. */
export const MAX_CHALLENGES = 16;

/** Parameters read per challenge; more are ignored. */
export const MAX_CHALLENGE_PARAMS = 32;

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Parses every challenge in a WWW-Authenticate value (several headers may be joined with ", ").
 * Malformed parts are skipped; the caller decides what to do when no usable challenge remains.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const s = new Scanner(header);
  const out: Challenge[] = [];
  while (out.length < MAX_CHALLENGES) {
    s.skip(/[\s,]/);
    if (s.done()) break;
    const scheme = s.token();
    if (scheme === '') {
      s.pos++; // not a token: skip the character and resynchronise
      continue;
    }
    const params = new Map<string, string>();
    s.skip(/[ \t]/);
    if (!s.atParam()) s.token68();
    while (!s.done()) {
      s.skip(/[\s,]/);
      if (!s.atParam()) break;
      const name = s.token().toLowerCase();
      s.skip(/[ \t]/);
      s.pos++; // '='
      s.skip(/[ \t]/);
      // Unquoted values should be tokens; real registries send URLs unquoted too, so read to the next separator.
      const value = s.peek() === '"' ? s.quoted() : s.until(/[,\s]/);
      if (params.size < MAX_CHALLENGE_PARAMS && !params.has(name)) params.set(name, value);
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out;
}

// Scanner walks the header once; every method advances or stops, so parsing is linear in the length.
class Scanner {
  pos = 0;
  constructor(private readonly s: string) {}

  // done says the whole header is consumed.
  done(): boolean {
    return this.pos >= this.s.length;
  }

  // peek reads the current character without consuming it.
  peek(): string {
    return this.s[this.pos] ?? '';
  }

  // skip consumes characters of one class.
  skip(cls: RegExp): void {
    while (!this.done() && cls.test(this.peek())) this.pos++;
  }

  // token consumes an RFC 7230 token (possibly empty).
  token(): string {
    const start = this.pos;
    this.skip(TOKEN_CHAR);
    return this.s.slice(start, this.pos);
  }

  // until consumes characters up to (not including) one of class `stop`.
  until(stop: RegExp): string {
    const start = this.pos;
    while (!this.done() && !stop.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }

  // token68 consumes a token68 credential blob (ignored by us) and its '=' padding.
  token68(): void {
    this.skip(TOKEN68_CHAR);
    this.skip(/=/);
  }

  // atParam looks ahead for `token BWS =` (and not `==`, which would be token68 padding).
  atParam(): boolean {
    let i = this.pos;
    while (i < this.s.length && TOKEN_CHAR.test(this.s[i] ?? '')) i++;
    if (i === this.pos) return false;
    while (this.s[i] === ' ' || this.s[i] === '\t') i++;
    return this.s[i] === '=' && this.s[i + 1] !== '=';
  }

  // quoted consumes a quoted-string with backslash escapes; an unterminated one runs to the end.
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done()) {
      const c = this.peek();
      this.pos++;
      if (c === '"') return out;
      if (c === '\\' && !this.done()) {
        out += this.peek();
        this.pos++;
      } else out += c;
    }
    return out;
  }
}
