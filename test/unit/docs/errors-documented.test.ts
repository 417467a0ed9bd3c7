import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SRC = join(__dirname, '..', '..', '..', 'src');
const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'errors.md'), 'utf8');

// errorModules finds every src/**/errors.ts, where each domain declares its codes.
function errorModules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return errorModules(path);
    return name === 'errors.ts' ? [path] : [];
  });
}

// declaredCodes loads each module's exported *_ERROR_CODES arrays.
async function declaredCodes(): Promise<string[]> {
  const modules = await Promise.all(
    errorModules(SRC).map((path) => import(path) as Promise<Record<string, unknown>>),
  );
  return modules.flatMap((mod) =>
    Object.entries(mod)
      .filter(([name, value]) => name.endsWith('_ERROR_CODES') && Array.isArray(value))
      .flatMap(([, value]) => value as string[]),
  );
}

describe('docs/errors.md', () => {
  let codes: string[] = [];
  beforeAll(async () => {
    codes = await declaredCodes();
  });

  it('finds the error codes of every domain', () => {
    for (const prefix of [
      'REFERENCE_',
      'REGISTRY_',
      'POLICY_',
      'VERIFY_',
      'ADMISSION_',
      'ENGINE_',
      'CONFIG_',
    ]) {
      expect(codes.some((c) => c.startsWith(prefix))).toBe(true);
    }
  });

  it('documents every code under its own heading', () => {
    const missing = codes.filter((code) => !new RegExp(`^### ${code}$`, 'm').test(DOC));
    expect(missing).toEqual([]);
  });

  it('has no two domains declaring the same code', () => {
    expect(new Set(codes).size).toBe(codes.length);
  });
});
