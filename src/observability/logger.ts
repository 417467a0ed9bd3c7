import pino, { type Logger } from 'pino';
import { MAX_LOG_BUFFER_BYTES } from './limits';

/** Paths that may carry secrets anywhere in a log object; pino replaces them before serialising. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'auth',
  '*.auth',
  'identityToken',
  '*.identityToken',
  'registryToken',
  '*.registryToken',
  'dockerConfigJson',
  '*.dockerConfigJson',
];

export interface LoggerOptions {
  readonly level?: string;
  /** Where to write; defaults to stderr so that CLI stdout stays machine-readable. */
  readonly destination?: pino.DestinationStream;
  /**
   * Write stderr asynchronously: lines that arrive while a write is under way go out together in the next one,
   * instead of one blocking write(2) per line on the request path. At most MAX_LOG_BUFFER_BYTES wait; pino flushes
   * what is left when the process exits, and `flushLogger` on shutdown.
   */
  readonly buffered?: boolean;
}

// createLogger builds the one pino logger the process uses, with secrets redacted and errors serialised.
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'portcullis',
      level: options.level ?? process.env.PORTCULLIS_LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ??
      (options.buffered
        ? pino.destination({ dest: 2, sync: false, maxLength: MAX_LOG_BUFFER_BYTES })
        : pino.destination(2)),
  );
}

// silentLogger is for tests and CLI paths that must print nothing but their own output.
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

// flushLogger writes out what a buffered logger still holds; it never rejects (shutdown must go on).
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}
