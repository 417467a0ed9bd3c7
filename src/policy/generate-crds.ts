// Writes (or, with --check, verifies) manifests/crds/*.yaml from the TypeScript schema. Run: npm run gen:crds.
// This script is the policy layer's only I/O; the rendering itself is pure (crd-manifest.ts).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderCrds } from './crd-manifest';

/** Where the generated CRDs live, relative to the repository root. */
export const CRD_DIR = 'manifests/crds';

// main writes the files, or with --check reports drift and exits 1.
function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const dir = resolve(__dirname, '..', '..', CRD_DIR);
  let drift = 0;
  for (const file of renderCrds()) {
    const path = join(dir, file.fileName);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        current = '';
      }
      if (current !== file.text) {
        drift++;
        process.stderr.write(`${join(CRD_DIR, file.fileName)} is out of date: run npm run gen:crds\n`);
      }
    } else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path, file.text);
      process.stdout.write(`wrote ${join(CRD_DIR, file.fileName)}\n`);
    }
  }
  return drift > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
