import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { MAX_YAML_ALIASES } from '../policy/crd/documents';
import { ConfigError } from './errors';

/**
 * Largest manifest file `review -f` and `verify -f` read; this bounds YAML parsing work. Not the webhook's
 * AdmissionReview body limit: a file may hold many objects (each becomes its own review), not one object and
 * its old version.
 */
export const MAX_REVIEW_FILE_BYTES = 8 * 1024 * 1024;
/** Most manifest files `verify -f FOLDER` reads (the folder and its subfolders together). */
export const MAX_MANIFEST_FILES = 1000;
/** Most bytes `verify -f` reads over all its files together. */
export const MAX_MANIFEST_TOTAL_BYTES = 64 * 1024 * 1024;

/** File names `verify -f FOLDER` reads; others (READMEs, charts' .tpl files) are ignored. */
const MANIFEST_FILE = /\.(?:ya?ml|json)$/i;

/** One manifest file's parsed documents. */
export interface ManifestFile {
  readonly file: string;
  readonly documents: readonly unknown[];
}

// readText reads a file (or stdin for "-"), refusing one past MAX_REVIEW_FILE_BYTES.
function readText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `-f ${file}: cannot read the file`, { cause: error });
  }
  if (Buffer.byteLength(text) > MAX_REVIEW_FILE_BYTES) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `-f ${file}: larger than ${MAX_REVIEW_FILE_BYTES} bytes`);
  }
  return text;
}

/** Parses JSON or (multi-document) YAML; a syntax error names the file. Empty documents are dropped. */
export function parseDocuments(file: string, text: string): unknown[] {
  const out: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    const first = doc.errors[0];
    if (first)
      throw new ConfigError(
        'CONFIG_FILE_UNREADABLE',
        `-f ${file}: not valid YAML or JSON: ${first.message.split('\n')[0]}`,
      );
    const value: unknown = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

/** Reads one manifest file, or stdin for "-". */
export function readManifestFile(file: string): ManifestFile {
  return { file, documents: parseDocuments(file, readText(file)) };
}

// statOf reads a path's own status (symbolic links are not followed, so a link loop cannot trap the walk).
function statOf(file: string): Stats {
  try {
    return lstatSync(file);
  } catch (error) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `-f ${file}: cannot read it`, { cause: error });
  }
}

// listManifests walks a folder and its subfolders in name order, skipping hidden entries and links.
function listManifests(dir: string, out: string[]): void {
  const names = readdirSync(dir).sort();
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const full = path.join(dir, name);
    const stats = statOf(full);
    if (stats.isDirectory()) listManifests(full, out);
    else if (stats.isFile() && MANIFEST_FILE.test(name)) out.push(full);
    if (out.length > MAX_MANIFEST_FILES) {
      throw new ConfigError(
        'CONFIG_FILE_UNREADABLE',
        `-f ${dir}: more than ${MAX_MANIFEST_FILES} manifest files; point -f at a smaller folder`,
      );
    }
  }
}

/**
 * `verify -f PATH` (repeatable): a file (or "-" for stdin) or a folder, read recursively (*.yaml, *.yml,
 * *.json; hidden entries and symbolic links skipped), bounded by MAX_MANIFEST_FILES and
 * MAX_MANIFEST_TOTAL_BYTES over all paths together.
 */
export function readManifests(paths: readonly string[]): ManifestFile[] {
  const files: string[] = [];
  for (const p of paths) {
    if (p !== '-' && statOf(p).isDirectory()) listManifests(p, files);
    else files.push(p);
  }
  if (files.length > MAX_MANIFEST_FILES) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `-f: more than ${MAX_MANIFEST_FILES} manifest files`);
  }
  let total = 0;
  return files.map((file) => {
    const text = readText(file);
    total += Buffer.byteLength(text);
    if (total > MAX_MANIFEST_TOTAL_BYTES) {
      throw new ConfigError(
        'CONFIG_FILE_UNREADABLE',
        `-f: the manifests add up to more than ${MAX_MANIFEST_TOTAL_BYTES} bytes`,
      );
    }
    return { file, documents: parseDocuments(file, text) };
  });
}
