// Writes (or, with --check, verifies) the generated CRDs from the TypeScript schema. Run: npm run gen:crds.
// The same files go to manifests/crds/ (plain manifests) and charts/portcullis/crds/ (Helm installs them).
// This script is the policy layer's only I/O; the rendering itself is pure (manifest.ts). Descriptions come
// from crd.types.ts's doc comments (crd-descriptions.ts); a field without one fails generation.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { missingDescriptions } from '../src/policy/crd/describe';
import { renderCrds, type CrdFile } from '../src/policy/crd/manifest';
import { CRD_TYPES_FILE, loadCrdDocs } from './crd-descriptions';

/** Where the generated CRDs live, relative to the repository root. */
export const CRD_DIR = 'manifests/crds';

/** Every folder that receives the generated CRDs, relative to the repository root. */
export const CRD_DIRS = [CRD_DIR, 'charts/portcullis/crds'] as const;

// readOrEmpty reads a generated file; a missing file reads as empty, so --check reports it as drift.
function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The fields of rendered CRDs that have no description, as `FILE: .spec.path` lines. */
export function undescribedFields(files: readonly CrdFile[]): string[] {
  return files.flatMap((f) =>
    missingDescriptions(parse(f.text).spec.versions[0].schema.openAPIV3Schema).map(
      (p) => `${f.fileName}: ${p}`,
    ),
  );
}

// main writes the files, or with --check reports drift and exits 1.
function main(argv: readonly string[]): number {
  const check = argv.includes('--check');
  const root = resolve(__dirname, '..');
  const files = renderCrds(loadCrdDocs(root));
  const missing = undescribedFields(files);
  if (missing.length > 0) {
    process.stderr.write(`add doc comments in ${CRD_TYPES_FILE} for:\n  ${missing.join('\n  ')}\n`);
    return 1;
  }
  let drift = 0;
  for (const relDir of CRD_DIRS) {
    const dir = join(root, relDir);
    for (const file of files) {
      const path = join(dir, file.fileName);
      if (check) {
        if (readOrEmpty(path) !== file.text) {
          drift++;
          process.stderr.write(`${join(relDir, file.fileName)} is out of date: run npm run gen:crds\n`);
        }
      } else {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path, file.text);
        process.stdout.write(`wrote ${join(relDir, file.fileName)}\n`);
      }
    }
  }
  return drift > 0 ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
