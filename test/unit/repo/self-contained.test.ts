// A clone of this repository alone must build, test and make sense: no file may lean on the machine it was
// written on (an absolute path, a sibling folder) or cite a document that is not in the repository.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const CONFORMANCE = join(ROOT, 'test', 'fixtures', 'conformance');

// Every file under these folders is scanned, vendored data included, plus the top-level README.
const SCANNED = ['src', 'test', 'hack', 'bench', 'charts', 'docs', 'README.md'];

// The patterns are regular expressions so that this file, which is scanned too, does not match itself.
const RULES: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  // A path under the machine's work or root folder; a URL such as https://host/work/x is not one.
  { name: 'absolute path into the machine', pattern: /(?<![\w.-])\/(?:work|root)\// },
  { name: 'sibling folder outside the repository', pattern: /\.\.\/shared(?![\w-])/ },
  { name: 'conformance data outside the repository', pattern: /shared\/conformance/ },
  // What those files say belongs in docs/: cite docs/policy.md, docs/operations.md, ... instead.
  { name: 'citation of a design file outside the repository', pattern: /\bDESIGN\b/ },
  { name: 'citation of a style guide outside the repository', pattern: /\bSTYLE\.md\b/ },
];

// What .gitignore keeps out of the repository: run-time output such as test/.tmp/ may name local paths.
const IGNORED_FOLDERS = new Set(['.tmp', 'node_modules', 'dist', 'coverage']);

// isIgnored tells whether .gitignore ignores a file (path relative to the repository root).
function isIgnored(file: string): boolean {
  return file.endsWith('.log') || file.split(sep).some((part) => IGNORED_FOLDERS.has(part));
}

// filesUnder lists every file below a folder, or the file itself, except what .gitignore ignores.
function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [path];
  return readdirSync(path, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((file) => !isIgnored(relative(ROOT, file)));
}

// findings reports `file:line: rule` for every line that breaks a rule.
function findings(): string[] {
  const out: string[] = [];
  for (const file of SCANNED.flatMap((p) => filesUnder(join(ROOT, p)))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const rule of RULES) {
        if (rule.pattern.test(line))
          out.push(`${relative(ROOT, file)}:${i + 1}: ${rule.name}: ${line.trim()}`);
      }
    });
  }
  return out;
}

interface ConformanceCase {
  readonly id: string;
  readonly files: readonly string[];
}

describe('the repository is self-contained', () => {
  test('the scan covers the source, the tests and the vendored conformance data', () => {
    const scanned = SCANNED.flatMap((p) => filesUnder(join(ROOT, p))).map((f) => relative(ROOT, f));
    expect(scanned).toEqual(
      expect.arrayContaining([
        'README.md',
        'src/cli/main.ts',
        'test/unit/repo/self-contained.test.ts',
        'test/fixtures/conformance/README.md',
        'docs/policy.md',
      ]),
    );
  });

  test('no file names a path outside the repository or cites a document that is not in it', () => {
    expect(findings()).toEqual([]);
  });

  test.each(['cosign', 'notaryv1', 'notation', 'hpvs'])(
    'every file that a %s conformance case uses is vendored under test/fixtures/conformance',
    (scheme) => {
      const dir = join(CONFORMANCE, scheme);
      const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as ConformanceCase[];
      expect(cases.length).toBeGreaterThan(0);
      const missing = cases.flatMap((c) =>
        c.files.filter((f) => !existsSync(join(dir, f))).map((f) => `${c.id}: ${f}`),
      );
      expect(missing).toEqual([]);
    },
  );

  test('the vendored conformance data keeps its attribution and licences', () => {
    expect(existsSync(join(CONFORMANCE, 'README.md'))).toBe(true);
    expect(existsSync(join(CONFORMANCE, 'LICENSES.md'))).toBe(true);
  });
});
