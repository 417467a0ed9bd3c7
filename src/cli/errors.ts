// ConfigError lives in src/errors.ts so that no layer has to import cli/; re-exported for the commands.
export { ConfigError, type ConfigErrorCode } from '../errors';

/** Exit codes of `verify` and `review` (docs/operations.md#running-the-webhook). */
export const EXIT_ALLOWED = 0;
export const EXIT_DENIED = 1;
export const EXIT_USAGE = 2;
