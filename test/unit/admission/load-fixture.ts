// Loads captured-style AdmissionReview fixtures from test/fixtures/admission/{valid,invalid}.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', 'fixtures', 'admission');

// loadFixture parses one fixture file by folder and base name.
export function loadFixture(folder: 'valid' | 'invalid', name: string): unknown {
  return JSON.parse(readFileSync(join(ROOT, folder, `${name}.json`), 'utf8')) as unknown;
}

// listFixtures names every fixture in a folder, so a table can prove it covers them all.
export function listFixtures(folder: 'valid' | 'invalid'): string[] {
  return readdirSync(join(ROOT, folder))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}
