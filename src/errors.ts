/**
 * The one base class for every error Portcullis raises on purpose.
 * Each domain (reference, registry, policy, verify, admission, config) declares its own union of
 * stable codes next to its code; docs/errors.md documents every one (a unit test enforces it).
 */
export class PortcullisError<C extends string = string> extends Error {
  readonly code: C;
  /** Extra, non-secret facts a user needs to act on the error (image, policy, authority, ...). */
  readonly details: Readonly<Record<string, string | number | boolean | undefined>>;

  constructor(
    code: C,
    message: string,
    options: { cause?: unknown; details?: Record<string, string | number | boolean | undefined> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

// isPortcullisError narrows unknown throwables at the few places that catch broadly.
export function isPortcullisError(e: unknown): e is PortcullisError {
  return e instanceof PortcullisError;
}

// describeUnknown turns a foreign throwable into one safe line for messages, never a stack or a secret.
export function describeUnknown(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0] ?? e.name;
  return typeof e === 'string' ? e : 'unknown error';
}

export const CONFIG_ERROR_CODES = [
  'CONFIG_INVALID_FLAG',
  'CONFIG_FILE_UNREADABLE',
  'CONFIG_POLICY_DIR_UNREADABLE',
  'CONFIG_TLS_INVALID',
  'CONFIG_CLUSTER_MODE_UNAVAILABLE',
  'CONFIG_TRUST_STORE_INVALID',
  'CONFIG_NAMESPACE_LABELS_INVALID',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/**
 * A usage or configuration mistake: the CLI prints it and exits with code 2.
 * It lives here, not in cli/, because the layers that read configuration (kube, server, sources) raise it too.
 */
export class ConfigError extends PortcullisError<ConfigErrorCode> {}
