import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors';

// readFlagFile reads a file named by a flag, turning I/O errors into a clear usage error.
export function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      `${flag} ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
}
