import { PortcullisError } from '../errors';

/** Every code the policy layer raises. Each one is documented in docs/errors.md under "Policy errors". */
export const POLICY_ERROR_CODES = [
  'POLICY_INVALID',
  'POLICY_YAML_INVALID',
  'POLICY_KIND_INVALID',
  'POLICY_FIELD_UNKNOWN',
  'POLICY_FIELD_REQUIRED',
  'POLICY_FIELD_TYPE',
  'POLICY_FIELD_VALUE',
  'POLICY_FIELD_NOT_ALLOWED',
  'POLICY_GLOB_INVALID',
  'POLICY_THRESHOLD_INVALID',
  'POLICY_AUTHORITY_DUPLICATE',
  'POLICY_AUTHORITY_KIND',
  'POLICY_AUTHORITY_UNSUPPORTED',
  'POLICY_KEY_INVALID',
  'POLICY_CEL_INVALID',
  'POLICY_SECRET_NOT_FOUND',
  'POLICY_SECRET_INVALID',
  'POLICY_CONFIGMAP_NOT_FOUND',
  'POLICY_TRUSTED_ROOT_INVALID',
  'POLICY_DUPLICATE',
  'POLICY_TAGS_ONLY',
  'POLICY_NOT_READY',
  'POLICY_NO_MATCH',
  'POLICY_DIGEST_REQUIRED',
  'POLICY_THRESHOLD_NOT_MET',
  'POLICY_NOT_EVALUATED',
  'POLICY_BREAK_GLASS_REFUSED',
  'POLICY_HPVS_INVALID',
  'POLICY_NOTATION_INVALID',
  'POLICY_NOTATION_UNSUPPORTED',
  'POLICY_CONVERT_INVALID',
  'POLICY_CONVERT_UNMAPPABLE',
  'POLICY_ENCRYPTION_CONFLICT',
  'POLICY_ENCRYPTION_REQUIRED',
  'POLICY_ENCRYPTION_FORBIDDEN',
  'POLICY_PLACEMENT_EMPTY',
  'POLICY_PLACEMENT_RUNTIME_CLASS',
  'POLICY_PLACEMENT_NODE_LABEL',
] as const;

export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

/** One problem in a policy object, located by its field path, e.g. `spec.authorities[1].cosign.key`. */
export interface FieldError {
  readonly path: string;
  readonly code: PolicyErrorCode;
  readonly message: string;
}

/** A policy that cannot be used. `fieldErrors` lists every problem found, each with its field path. */
export class PolicyError extends PortcullisError<PolicyErrorCode> {
  readonly fieldErrors: readonly FieldError[];

  constructor(
    code: PolicyErrorCode,
    message: string,
    options: {
      cause?: unknown;
      details?: Record<string, string | number | boolean | undefined>;
      fieldErrors?: readonly FieldError[];
    } = {},
  ) {
    super(code, message, options);
    this.fieldErrors = Object.freeze([...(options.fieldErrors ?? [])]);
  }
}

// isPolicyError narrows caught throwables in compile loops.
export function isPolicyError(e: unknown): e is PolicyError {
  return e instanceof PolicyError;
}

/** At most this many field errors are spelled out in one message (all are kept in `fieldErrors`). */
export const MAX_REPORTED_FIELD_ERRORS = 20;

// formatFieldErrors renders field errors one per line, bounded, for messages and status conditions.
export function formatFieldErrors(errors: readonly FieldError[]): string {
  const lines = errors.slice(0, MAX_REPORTED_FIELD_ERRORS).map((e) => `${e.path}: [${e.code}] ${e.message}`);
  if (errors.length > MAX_REPORTED_FIELD_ERRORS) {
    lines.push(`… and ${errors.length - MAX_REPORTED_FIELD_ERRORS} more errors`);
  }
  return lines.join('\n');
}
