// Whether two image globs can match the same image name. Converters need it to reproduce a peer's
// "most specific pattern wins" rule: Portcullis applies every policy whose glob matches, so two overlapping
// globs from rules with different outcomes would make an image pass both.
import { compileImageGlob } from '../reference/glob';

const STAR = '*';
const GLOBSTAR = '**';

/** A glob token: one literal character, `*` (no `/`) or `**` (anything). */
type Token = string;

// tokens splits a normalised glob into literal characters and wildcards.
function tokens(normalized: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < normalized.length; i++) {
    if (normalized[i] !== '*') out.push(normalized[i] as string);
    else if (normalized[i + 1] === '*') {
      out.push(GLOBSTAR);
      i++;
    } else out.push(STAR);
  }
  return out;
}

// isWild says whether a token is a wildcard (which may match the empty string).
function isWild(t: Token | undefined): boolean {
  return t === STAR || t === GLOBSTAR;
}

// accepts says whether a token can consume character c; a wildcard stays in place after consuming.
function consumes(t: Token, c: string): boolean {
  if (t === GLOBSTAR) return true;
  if (t === STAR) return c !== '/';
  return t === c;
}

/**
 * True when some name matches both globs (as written in a policy; both are normalised first). Walks the
 * product of the two globs' automata, so it is exact for the glob language (it ignores the reference grammar,
 * so it may answer true for an overlap made only of invalid names: the safe direction for a converter).
 */
export function globsOverlap(a: string, b: string): boolean {
  const x = tokens(compileImageGlob(a).normalized);
  const y = tokens(compileImageGlob(b).normalized);
  const seen = new Set<number>();
  const width = y.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const key = i * width + j;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === x.length && j === y.length) return true;
    if (isWild(x[i])) stack.push([i + 1, j]);
    if (isWild(y[j])) stack.push([i, j + 1]);
    const s = x[i];
    const t = y[j];
    if (s === undefined || t === undefined) continue;
    // A witness character both tokens accept: a literal if either is literal, else a non-slash letter.
    const c = !isWild(s) ? s : !isWild(t) ? t : 'a';
    if (!consumes(s, c) || !consumes(t, c)) continue;
    stack.push([isWild(s) ? i : i + 1, isWild(t) ? j : j + 1]);
  }
  return false;
}
