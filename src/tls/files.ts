import { readFile, rename, writeFile } from 'node:fs/promises';
import { TlsError } from './errors';

/** Where the rotator writes the serving pair: the `--tls-cert`/`--tls-key` files the server hot-reloads. */
export interface ServingFiles {
  readonly certPath: string;
  readonly keyPath: string;
}

// readOrEmpty reads a file, or '' when it cannot (first start: the emptyDir is empty).
async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Writes the serving pair when it differs from what is on disk: both go to temporary files first and are
 * renamed back to back, so the server's watcher (src/tls/serving-files.ts) sees a mismatched pair for at most an
 * instant (and then reloads again). The key file is mode 0600. Returns whether anything was written.
 */
export async function writeServingFiles(
  files: ServingFiles,
  pair: { readonly cert: string; readonly key: string },
): Promise<boolean> {
  const [cert, key] = await Promise.all([readOrEmpty(files.certPath), readOrEmpty(files.keyPath)]);
  if (cert === pair.cert && key === pair.key) return false;
  const suffix = `.tmp-${process.pid}`;
  try {
    await writeFile(files.keyPath + suffix, pair.key, { mode: 0o600 });
    await writeFile(files.certPath + suffix, pair.cert, { mode: 0o644 });
    await rename(files.keyPath + suffix, files.keyPath);
    await rename(files.certPath + suffix, files.certPath);
  } catch (error) {
    throw new TlsError(
      'TLS_FILE_WRITE_FAILED',
      `cannot write the serving certificate to ${files.certPath} and ${files.keyPath} ` +
        `(${(error as NodeJS.ErrnoException).code ?? 'error'}); mount a writable volume (emptyDir) there`,
      { cause: error },
    );
  }
  return true;
}
