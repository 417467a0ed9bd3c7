import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isRecord } from '../../src/guards';

const SRC = join(__dirname, '..', '..', 'src');

describe('isRecord', () => {
  it.each<[string, unknown, boolean]>([
    ['an object', { a: 1 }, true],
    ['an empty object', {}, true],
    ['an object without a prototype', Object.create(null) as object, true],
    ['null', null, false],
    ['an array', [1], false],
    ['a string', 'x', false],
    ['a number', 1, false],
    ['undefined', undefined, false],
  ])('%s: %s', (_, value, expected) => {
    expect(isRecord(value)).toBe(expected);
  });
});

// sourceFiles lists src/**/*.ts.
function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('src/guards.ts', () => {
  it('holds the only copy of the object check', () => {
    const copies = sourceFiles(SRC)
      .filter((file) => /!== null && !Array\.isArray\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(copies).toEqual(['guards.ts']);
  });
});
