import pino, { type Logger } from 'pino';

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
    options.destination ?? pino.destination(2),
  );
}

// silentLogger is for tests and CLI paths that must print nothing but their own output.
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
