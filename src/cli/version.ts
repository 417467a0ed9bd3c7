import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** What `--version` prints when package.json cannot be read (a broken install, not a user error). */
const UNKNOWN_VERSION = 'unknown';

// packageVersion reads the version from package.json, two folders up from src/cli/ and from dist/cli/ alike.
export function packageVersion(): string {
  try {
    const text = readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8');
    const version: unknown = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' && version !== '' ? version : UNKNOWN_VERSION;
  } catch {
    return UNKNOWN_VERSION;
  }
}
