// No file under src/ or test/ passes MAX_LINES, so each stays readable in one sitting. The few that already
// do are listed below with the size they may not exceed: the list only shrinks.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
/** Longest file, in lines, anywhere under src/ or test/. */
const MAX_LINES = 400;

// Files over MAX_LINES today: each may shrink but not grow, and leaves the list once it fits.
const TOO_LONG: Readonly<Record<string, { readonly lines: number; readonly reason: string }>> = {
  'test/unit/convert/notation-trust-policy.test.ts': {
    lines: 578,
    reason: 'six describe blocks over one converter; split by concern (scopes, stores, refusals)',
  },
  'test/e2e/admission.test.ts': {
    lines: 511,
    reason: 'every kubectl scenario shares one control plane and webhook set up in this file',
  },
  'test/integration/server/webhook.test.ts': {
    lines: 445,
    reason: 'every scenario shares one server and registry harness set up in this file',
  },
  'test/unit/policy/decide/decide.test.ts': {
    lines: 447,
    reason: 'one describe per concern of decide(); break-glass and bounds can move to their own files',
  },
};

// Data, not code: vendored conformance vectors and captured AdmissionReviews keep the size of what they capture.
function isData(path: string): boolean {
  return path.startsWith('test/fixtures/') && !path.endsWith('.ts');
}

// filesUnder lists every file below `dir`, as paths relative to the repository.
function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

function lineCount(path: string): number {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

describe(`file size (at most ${MAX_LINES} lines)`, () => {
  const files = ['src', 'test'].flatMap(filesUnder).filter((path) => !isData(path));

  test('finds the code under src/ and test/', () => {
    expect(files).toContain('src/errors.ts');
    expect(files).toContain('test/unit/repo/file-size.test.ts');
    expect(files.length).toBeGreaterThan(100);
  });

  test('no file outside the list is longer', () => {
    const long = files
      .filter((path) => TOO_LONG[path] === undefined)
      .map((path) => ({ path, lines: lineCount(path) }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  test.each(Object.entries(TOO_LONG))('%s does not grow', (path, { lines }) => {
    expect({ path, grewBy: Math.max(0, lineCount(path) - lines) }).toEqual({ path, grewBy: 0 });
  });

  test.each(Object.entries(TOO_LONG))('%s still needs its place in the list', (path) => {
    expect({ path, fits: lineCount(path) <= MAX_LINES }).toEqual({ path, fits: false });
  });
});
