// The image installs production dependencies only (`npm ci --omit=dev`): every package that src/ loads at run
// time must be a `dependencies` entry, or the webhook would crash in the image but pass every test here.
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// sourceFiles lists src/**/*.ts that end up in dist/ (tsconfig.build.json leaves out tests).
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

// runtimeSpecifiers returns the bare module specifiers a file loads at run time (type-only imports are erased).
function runtimeSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /^\s*import\s+(?!type\s)[^'"]*?from\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?!type\s)[^'"]*?from\s*['"]([^'"]+)['"]/gm,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1] as string);
  return found.filter((s) => !s.startsWith('.'));
}

// packageName maps a specifier to its npm package (`@scope/name/sub` -> `@scope/name`).
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
}

const builtins = new Set(builtinModules);
const used = new Map<string, string>(); // package -> first file that loads it
for (const file of sourceFiles(join(ROOT, 'src'))) {
  for (const spec of runtimeSpecifiers(readFileSync(file, 'utf8'))) {
    if (spec.startsWith('node:') || builtins.has(spec)) continue;
    const name = packageName(spec);
    if (!used.has(name)) used.set(name, file.slice(ROOT.length + 1));
  }
}

describe('runtime dependencies of src/', () => {
  test('the scan finds the packages the webhook is built on', () => {
    expect([...used.keys()]).toEqual(
      expect.arrayContaining(['fastify', 'pino', 'undici', 'yaml', 'commander']),
    );
  });

  test.each([...used.entries()])('%s (loaded by %s) is a production dependency', (name) => {
    expect({ name, inDependencies: name in pkg.dependencies }).toEqual({ name, inDependencies: true });
  });

  test('every production dependency is loaded by src/ (nothing unused ships in the image)', () => {
    const unused = Object.keys(pkg.dependencies).filter((name) => !used.has(name));
    expect(unused).toEqual([]);
  });

  test('the entry point falls back to dist/ without tsx (a devDependency)', () => {
    const entry = readFileSync(join(ROOT, 'bin', 'portcullis.js'), 'utf8');
    expect(entry).toContain("path.join(root, 'dist', 'cli', 'main.js')");
    expect(entry).toMatch(/require\('tsx\/cjs'\);[\s\S]*catch/);
  });
});
