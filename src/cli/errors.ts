import { PortcullisError } from '../errors';

export const CONFIG_ERROR_CODES = [
  'CONFIG_INVALID_FLAG',
  'CONFIG_FILE_UNREADABLE',
  'CONFIG_POLICY_DIR_UNREADABLE',
  'CONFIG_TLS_INVALID',
  'CONFIG_CLUSTER_MODE_UNAVAILABLE',
  'CONFIG_TRUST_STORE_INVALID',
] as const;
export type ConfigErrorCode = (typeof CONFIG_ERROR_CODES)[number];

/** A usage or configuration mistake: the CLI prints it and exits with code 2. */
export class ConfigError extends PortcullisError<ConfigErrorCode> {}

/** Exit codes of `verify` and `review` (docs/operations.md#running-the-webhook). */
export const EXIT_ALLOWED = 0;
export const EXIT_DENIED = 1;
export const EXIT_USAGE = 2;
