// Checks that a converter accounts for every leaf of its input: each leaf path is mapped (listed by the test),
// reported (a finding names it or an object above it) or refused (a refusal names it or an object above it).
import { parseAllDocuments } from 'yaml';
import { PolicyError } from '../../../src/policy/errors';
import type { Conversion } from '../../../src/convert/report';

// leafPaths lists `a.b[0].c` for every scalar (and empty list or object) under `value`.
export function leafPaths(value: unknown, path: string): string[] {
  const join = (key: string): string =>
    path === '' || path.endsWith(' ') ? `${path}${key}` : `${path}.${key}`;
  if (Array.isArray(value))
    return value.length === 0 ? [path] : value.flatMap((v, i) => leafPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.length === 0 ? [path] : entries.flatMap(([k, v]) => leafPaths(v, join(k)));
  }
  return [path];
}

// normalise makes paths comparable: list indexes and `(name)` selectors become `[*]`, ` (name)` labels go.
function normalise(path: string): string {
  return path
    .replace(/ \([^)]*\)/g, '')
    .replace(/\[\d+\]|\([^)]*\)/g, '[*]')
    .trim();
}

// covers says whether `by` names `leaf` or an object or list above it.
function covers(by: string, leaf: string): boolean {
  return leaf === by || leaf.startsWith(`${by}.`) || leaf.startsWith(`${by}[`);
}

/** What a conversion left unaccounted for: the leaves no mapped pattern, finding or refusal covers. */
export function unaccounted(
  leaves: readonly string[],
  run: () => Conversion,
  mapped: readonly string[],
): { readonly uncovered: string[]; readonly refused: boolean } {
  // Leaving a field out (unmapped) or refusing it accounts for everything under it; a semantics finding or a
  // note on an object does not, since the object's own fields may still be dropped.
  let subtrees: string[];
  let exact: string[] = [];
  let refused = false;
  try {
    const findings = run().findings;
    subtrees = findings.filter((f) => f.kind === 'unmapped').map((f) => f.source);
    exact = findings.filter((f) => f.kind !== 'unmapped').map((f) => f.source);
  } catch (error) {
    if (!(error instanceof PolicyError) || error.code !== 'POLICY_CONVERT_UNMAPPABLE') throw error;
    subtrees = error.fieldErrors.map((e) => e.path);
    refused = true;
  }
  // A mapped entry ending in `$` names one leaf exactly; any other also covers what is under it.
  const by = [...subtrees, ...mapped.filter((m) => !m.endsWith('$'))].map(normalise);
  const named = new Set(
    [...exact, ...mapped.filter((m) => m.endsWith('$')).map((m) => m.slice(0, -1))].map(normalise),
  );
  const uncovered = leaves
    .map(normalise)
    .filter((leaf) => !named.has(leaf) && !by.some((b) => covers(b, leaf)));
  return { uncovered: [...new Set(uncovered)], refused };
}

/** Leaves of every document of a multi-document YAML input, each under `prefix(document)`. */
export function documentLeaves(text: string, prefix: (doc: Record<string, unknown>) => string): string[] {
  return parseAllDocuments(text).flatMap((d) => {
    const doc = d.toJS() as Record<string, unknown>;
    return leafPaths(doc, prefix(doc));
  });
}
