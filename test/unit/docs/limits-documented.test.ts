// Every named limit in src/ is defined once and stated, with its value, in the Limits table of
// docs/operations.md; prose in docs/errors.md and docs/operations.md that names a limit states the same value.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const SRC = join(ROOT, 'src');
const DOCS = join(ROOT, 'docs');
const TABLE_DOC = 'operations.md';
/** Docs whose prose must give a named limit its value next to the name, or link the name to the table. */
const PROSE_DOCS = ['errors.md', 'operations.md'];

/**
 * Exported numbers that bound nothing. Every other `export const NAME = <arithmetic>` in src/ counts as a
 * limit, whatever its name, so a new limit cannot go undocumented.
 */
const NOT_LIMITS: Readonly<Record<string, string>> = {
  DAY_MS: 'a unit that other durations are written in',
  RSA_PSS_SALT_BYTES: 'fixed by the RSA-PSS signature scheme',
  COSE_SIGN1_TAG: 'a CBOR tag number',
  DENY_STATUS_CODE: 'an HTTP status code',
  EXIT_ALLOWED: 'a process exit code',
  EXIT_DENIED: 'a process exit code',
  EXIT_USAGE: 'a process exit code',
  SHORT_KEY_ID_HEX: 'how much of a key id a message shows',
};

// Units a documented value may carry, in the base unit of its kind (bytes, milliseconds).
const UNITS: Readonly<Record<string, { readonly kind: Kind; readonly factor: number }>> = {
  byte: { kind: 'bytes', factor: 1 },
  bytes: { kind: 'bytes', factor: 1 },
  KiB: { kind: 'bytes', factor: 1024 },
  MiB: { kind: 'bytes', factor: 1024 * 1024 },
  ms: { kind: 'time', factor: 1 },
  s: { kind: 'time', factor: 1000 },
  second: { kind: 'time', factor: 1000 },
  seconds: { kind: 'time', factor: 1000 },
  min: { kind: 'time', factor: 60_000 },
  minute: { kind: 'time', factor: 60_000 },
  minutes: { kind: 'time', factor: 60_000 },
  h: { kind: 'time', factor: 3_600_000 },
  hours: { kind: 'time', factor: 3_600_000 },
  d: { kind: 'time', factor: 86_400_000 },
  day: { kind: 'time', factor: 86_400_000 },
  days: { kind: 'time', factor: 86_400_000 },
};
const NUMBER = String.raw`\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?`;
const UNIT = `(?:${Object.keys(UNITS).join('|')})(?![A-Za-z])`;
const VALUE = new RegExp(`^(${NUMBER})(?:\\s*(${UNIT}))?$`);
// A value just before a name: `4 MiB (NAME`, `(8 MiB, NAME`, `5 redirects (NAME`.
const VALUE_BEFORE = new RegExp(`(${NUMBER})(?:\\s*(${UNIT}))?(?:\\s+[a-z][a-z-]*){0,6}\\s*[(,]\\s*$`);
// A value just after a name: `NAME (5 s)`.
const VALUE_AFTER = new RegExp(`^\\s*\\((${NUMBER})(?:\\s*(${UNIT}))?`);
/** Names in docs that look like limits; each must be a limit that exists. */
const LIMIT_LIKE_NAME = /`((?:MAX|MIN)_[A-Z0-9_]+|[A-Z][A-Z0-9_]*_(?:MS|SECONDS|BYTES|CHARS|LENGTH))`/g;

type Kind = 'bytes' | 'time' | 'count';

interface Limit {
  readonly name: string;
  readonly file: string;
  readonly value: number;
}

interface Stated {
  readonly value: number;
  readonly kind: Kind;
}

// sourceFiles lists src/**/*.ts.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

// numericExports finds `export const NAME = <arithmetic on numbers and other constants>` per file.
function numericExports(): Map<string, string[]> {
  const byFile = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const names = [...text.matchAll(/^export const ([A-Z][A-Z0-9_]*)(?::\s*number)? = ([^;]+);/gm)]
      .filter(([, , init]) => /^[\d_.\s*/+()A-Z-]+$/.test(init ?? ''))
      .map(([, name]) => name ?? '');
    if (names.length > 0) byFile.set(file, names);
  }
  return byFile;
}

// loadLimits imports each module that exports numbers and reads their values.
async function loadLimits(): Promise<Limit[]> {
  const out: Limit[] = [];
  for (const [file, names] of numericExports()) {
    const mod = (await import(file)) as Record<string, unknown>;
    for (const name of names) {
      const value = mod[name];
      if (typeof value !== 'number' || name in NOT_LIMITS) continue;
      out.push({ name, file: relative(ROOT, file), value });
    }
  }
  return out;
}

// toStated parses a documented value such as `6 MiB`, `10,000`, `2/3` or `30 days`.
function toStated(number: string, unit: string | undefined): Stated {
  const [whole = '', divisor] = number.replace(/,/g, '').split('/');
  const n = Number(whole) / (divisor === undefined ? 1 : Number(divisor));
  const u = unit === undefined ? undefined : UNITS[unit];
  return u === undefined ? { value: n, kind: 'count' } : { value: n * u.factor, kind: u.kind };
}

// expectedFor is what a limit's documented value must be: its kind follows its name's suffix.
function expectedFor(limit: Limit): Stated {
  if (limit.name.endsWith('_SECONDS')) return { value: limit.value * 1000, kind: 'time' };
  if (limit.name.endsWith('_MS')) return { value: limit.value, kind: 'time' };
  if (limit.name.endsWith('_BYTES')) return { value: limit.value, kind: 'bytes' };
  return { value: limit.value, kind: 'count' };
}

// agrees compares a stated value with the limit's, allowing rounding of fractions written as `a/b`.
function agrees(stated: Stated, limit: Limit): boolean {
  const want = expectedFor(limit);
  return stated.kind === want.kind && Math.abs(stated.value - want.value) < 1e-9;
}

// limitsSection is the text of `## Limits` in the table doc, up to the next `## ` heading.
function limitsSection(doc: string): string {
  const start = doc.search(/^## Limits$/m);
  if (start < 0) return '';
  const rest = doc.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

// tableRows reads `| \`NAME\` | value | meaning |` rows.
function tableRows(section: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|/gm)) {
    rows.set(m[1] ?? '', m[2] ?? '');
  }
  return rows;
}

const readDoc = (name: string): string => readFileSync(join(DOCS, name), 'utf8');

describe('named limits', () => {
  let limits: Limit[] = [];
  let byName = new Map<string, Limit[]>();
  const rows = tableRows(limitsSection(readDoc(TABLE_DOC)));

  beforeAll(async () => {
    limits = await loadLimits();
    byName = new Map();
    for (const l of limits) byName.set(l.name, [...(byName.get(l.name) ?? []), l]);
  });

  it('finds the limits of every layer', () => {
    for (const dir of [
      'admission',
      'server',
      'policy',
      'reference',
      'registry',
      'engine',
      'kube',
      'tls',
      'cli',
    ]) {
      expect(limits.some((l) => l.file.startsWith(`src/${dir}/`))).toBe(true);
    }
  });

  it('defines each limit once', () => {
    const twice = [...byName.entries()]
      .filter(([, defs]) => defs.length > 1)
      .map(([name, defs]) => `${name} in ${defs.map((d) => d.file).join(' and ')}`);
    expect(twice).toEqual([]);
  });

  it(`lists every limit in the Limits table of docs/${TABLE_DOC}`, () => {
    const missing = [...byName.keys()].filter((name) => !rows.has(name));
    expect(missing).toEqual([]);
  });

  it('lists no limit that src/ no longer defines', () => {
    const stale = [...rows.keys()].filter((name) => !byName.has(name));
    expect(stale).toEqual([]);
  });

  it('states the value of each limit in the table', () => {
    const wrong = [...rows.entries()].flatMap(([name, cell]) => {
      const m = VALUE.exec(cell);
      const stated = m === null ? undefined : toStated(m[1] ?? '', m[2]);
      const defs = byName.get(name) ?? [];
      return defs
        .filter((def) => stated === undefined || !agrees(stated, def))
        .map((def) => `${name}: table says "${cell}", ${def.file} says ${def.value}`);
    });
    expect(wrong).toEqual([]);
  });

  it.each(PROSE_DOCS)('docs/%s gives each limit it names the same value, or links it to the table', (doc) => {
    const text = (
      doc === TABLE_DOC ? readDoc(doc).replace(limitsSection(readDoc(doc)), '') : readDoc(doc)
    ).replace(/\s+/g, ' ');
    const problems: string[] = [];
    for (const m of text.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) {
      const defs = byName.get(m[1] ?? '');
      if (defs === undefined) continue;
      const at = m.index ?? 0;
      const after = text.slice(at + m[0].length);
      if (text[at - 1] === '[' && /^\]\([^)]*#limits\)/.test(after)) continue;
      const v = VALUE_BEFORE.exec(text.slice(Math.max(0, at - 120), at)) ?? VALUE_AFTER.exec(after);
      const stated = v === null ? undefined : toStated(v[1] ?? '', v[2]);
      if (stated === undefined || !defs.every((def) => agrees(stated, def))) {
        problems.push(`${m[1]}: "…${text.slice(Math.max(0, at - 60), at + m[0].length + 20)}…"`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('names in docs/ that look like limits are limits that exist', () => {
    const unknown = readdirSync(DOCS)
      .filter((name) => name.endsWith('.md'))
      .flatMap((name) =>
        [...readDoc(name).matchAll(LIMIT_LIKE_NAME)]
          .map((m) => m[1] ?? '')
          .filter((limit) => !byName.has(limit))
          .map((limit) => `${name}: ${limit}`),
      );
    expect(unknown).toEqual([]);
  });
});
