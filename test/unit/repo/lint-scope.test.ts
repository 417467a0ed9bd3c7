// hack/test.sh and the typed linting of eslint.config.js agree: the type-aware rules need every file that
// hack/test.sh lints to belong to the TypeScript project of tsconfig.json.
import type { Linter } from 'eslint';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const testSh = readFileSync(join(ROOT, 'hack', 'test.sh'), 'utf8');
const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { include: string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the config is CommonJS, loaded as the CLI loads it
const config = require(join(ROOT, 'eslint.config.js')) as Linter.Config[];

const linted = /npx --no-install eslint ([^\n>]+)/.exec(testSh)?.[1]?.trim().split(/\s+/) ?? [];

describe('lint scope', () => {
  test('hack/test.sh lints src/', () => {
    expect(linted).toContain('src');
  });

  test('every folder it lints is in the TypeScript project', () => {
    expect(linted.filter((dir) => !tsconfig.include.includes(dir))).toEqual([]);
  });

  test('the type-aware rules use that project', () => {
    const typed = config.filter((block) => {
      const parserOptions = (block.languageOptions?.parserOptions ?? {}) as Record<string, unknown>;
      return parserOptions['projectService'] === true;
    });
    expect(typed.map((block) => block.files)).toEqual([['**/*.ts']]);
    expect(typed[0]?.rules).toHaveProperty('@typescript-eslint/no-floating-promises', 'error');
  });
});
