import { createSecureContext } from 'node:tls';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server } from 'node:https';
import type { Logger } from 'pino';
import { ConfigError } from '../errors';
import { TLS_RELOAD_INTERVAL_MS } from '../server/limits';

/** A serving certificate and key, read from disk. */
export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

// readTlsFiles reads and checks a cert/key pair; a pair that doesn't load is a clear configuration error.
export function readTlsFiles(certPath: string, keyPath: string): TlsFiles {
  let files: TlsFiles;
  try {
    files = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
  } catch (error) {
    throw new ConfigError(
      'CONFIG_TLS_INVALID',
      `cannot read --tls-cert ${certPath} or --tls-key ${keyPath}`,
      { cause: error },
    );
  }
  try {
    createSecureContext(files);
  } catch (error) {
    throw new ConfigError(
      'CONFIG_TLS_INVALID',
      `--tls-cert ${certPath} and --tls-key ${keyPath} are not a valid certificate and matching key`,
      { cause: error },
    );
  }
  return files;
}

/**
 * Watches the TLS files and swaps the server's secure context when they change (cert-manager or our
 * own rotation rewrites them). New connections get the new pair; a broken pair is ignored and logged.
 * `onReload` sees each pair once it serves (for the certificate-expiry gauge). Returns a function that stops
 * watching.
 */
export function watchTls(
  server: Server,
  certPath: string,
  keyPath: string,
  logger: Logger,
  onReload: (files: TlsFiles) => void = () => {},
): () => void {
  const reload = (): void => {
    try {
      const files = readTlsFiles(certPath, keyPath);
      server.setSecureContext({ cert: files.cert, key: files.key });
      onReload(files);
      logger.info({ certPath }, 'TLS certificate reloaded');
    } catch (error) {
      logger.error(
        { err: error, code: 'CONFIG_TLS_INVALID' },
        'TLS reload failed; keeping the previous certificate',
      );
    }
  };
  const options = { interval: TLS_RELOAD_INTERVAL_MS, persistent: false };
  watchFile(certPath, options, reload);
  watchFile(keyPath, options, reload);
  return () => {
    unwatchFile(certPath, reload);
    unwatchFile(keyPath, reload);
  };
}
