// package.json must describe what a clone and a build really contain, and its scripts must check what
// hack/test.sh (the CI command) checks.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  main?: string;
  bin: Record<string, string>;
  scripts: Record<string, string>;
};
const testSh = readFileSync(join(ROOT, 'hack', 'test.sh'), 'utf8');

// argsOf returns the arguments hack/test.sh passes to one tool (`npx --no-install TOOL ARGS`).
function argsOf(tool: string): string | undefined {
  return new RegExp(`npx --no-install ${tool} ([^>\\n]+?)\\s*(?:>|$)`, 'm').exec(testSh)?.[1];
}

describe('package.json', () => {
  test('every bin entry exists in the repository', () => {
    for (const file of Object.values(pkg.bin)) expect(existsSync(join(ROOT, file))).toBe(true);
  });

  test('main, if set, names a file that `npm run build` emits (dist/X.js from src/X.ts)', () => {
    if (pkg.main === undefined) return;
    const source = pkg.main.replace(/^(?:\.\/)?dist\//, 'src/').replace(/\.js$/, '.ts');
    expect({ main: pkg.main, sourceExists: existsSync(join(ROOT, source)) }).toEqual({
      main: pkg.main,
      sourceExists: true,
    });
  });

  test.each([
    ['lint', 'eslint'],
    ['format:check', 'prettier'],
  ])('`npm run %s` checks the same folders as hack/test.sh', (script, tool) => {
    expect(argsOf(tool)).toBeDefined();
    expect(pkg.scripts[script]).toBe(`${tool} ${argsOf(tool)}`);
  });
});
