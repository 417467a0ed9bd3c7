import { PortcullisError } from '../errors';
import { MAX_QUOTED_REGISTRY_TEXT } from './limits';

/** Stable codes for registry-client errors; each is documented in docs/errors.md. */
export const REGISTRY_ERROR_CODES = [
  'REGISTRY_UNREACHABLE',
  'REGISTRY_TIMEOUT',
  'REGISTRY_UNAUTHORIZED',
  'REGISTRY_NOT_FOUND',
  'REGISTRY_MANIFEST_TOO_LARGE',
  'REGISTRY_BLOB_TOO_LARGE',
  'REGISTRY_DIGEST_MISMATCH',
  'REGISTRY_BAD_RESPONSE',
  'REGISTRY_TOO_MANY_REDIRECTS',
  'REGISTRY_REDIRECT_REFUSED',
  'REGISTRY_RATE_LIMITED',
  'REGISTRY_CREDENTIALS_INVALID',
  'REGISTRY_CREDENTIAL_HELPER_FAILED',
  'REGISTRY_UNSUPPORTED_MEDIA_TYPE',
  'REGISTRY_AUTH_REALM_REFUSED',
  'REGISTRY_EGRESS_REFUSED',
] as const;

export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

/** An error talking to a registry. `details.registry` and `details.repository` say where; never credentials. */
export class RegistryError extends PortcullisError<RegistryErrorCode> {}

/** Where an error happened, for messages and details. */
export interface RegistryWhere {
  readonly registry: string;
  readonly repository?: string;
}

/** Builds a RegistryError whose details carry the registry and repository. */
export function registryError(
  code: RegistryErrorCode,
  where: RegistryWhere,
  message: string,
  options: { cause?: unknown; details?: Record<string, string | number | boolean | undefined> } = {},
): RegistryError {
  return new RegistryError(code, message, {
    ...(options.cause === undefined ? {} : { cause: options.cause }),
    details: { registry: where.registry, repository: where.repository, ...options.details },
  });
}

/** `registry/repository` (or just the registry) for messages. */
export function describeWhere(where: RegistryWhere): string {
  return where.repository === undefined
    ? `registry ${where.registry}`
    : `${where.registry}/${where.repository}`;
}

/** Makes registry-supplied text safe to quote: one line, printable ASCII, bounded. Attacker-controlled input. */
export function quoteRegistryText(text: string): string {
  const cut = text.length > MAX_QUOTED_REGISTRY_TEXT;
  const head = (cut ? text.slice(0, MAX_QUOTED_REGISTRY_TEXT) : text).replace(/[^\x20-\x7e]/g, '?');
  return `"${head.replace(/["\\]/g, (c) => `\\${c}`)}"${cut ? '…' : ''}`;
}

/** Narrows to a RegistryError with one of `codes`. */
export function isRegistryError(e: unknown, ...codes: RegistryErrorCode[]): e is RegistryError {
  return e instanceof RegistryError && (codes.length === 0 || codes.includes(e.code));
}
