import { PortcullisError } from '../errors';

/** Stable codes for image-reference and image-glob errors; each is documented in docs/errors.md. */
export const REFERENCE_ERROR_CODES = [
  'REFERENCE_INVALID',
  'REFERENCE_TOO_LONG',
  'REFERENCE_UNSUPPORTED_DIGEST',
  'REFERENCE_INVALID_GLOB',
] as const;

export type ReferenceErrorCode = (typeof REFERENCE_ERROR_CODES)[number];

/** How much of an attacker-controlled input a message quotes before cutting it off. */
export const MAX_QUOTED_INPUT_CHARS = 120;

/**
 * An image reference or image glob that cannot be used. Named so that it does not shadow the
 * JavaScript global `ReferenceError`. `reason` is the bare "what is wrong" part of the message.
 */
export class ImageReferenceError extends PortcullisError<ReferenceErrorCode> {
  readonly reason: string;

  constructor(code: ReferenceErrorCode, message: string, reason: string, input: string) {
    super(code, message, { details: { input: quoteInput(input), reason } });
    this.reason = reason;
  }
}

// quoteInput makes attacker-controlled text safe to print: bounded, quoted, with control and non-ASCII escaped.
export function quoteInput(input: string): string {
  const cut = input.length > MAX_QUOTED_INPUT_CHARS;
  const head = cut ? input.slice(0, MAX_QUOTED_INPUT_CHARS) : input;
  let out = '';
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + head[i];
    else if (c >= 0x20 && c <= 0x7e) out += head[i];
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return `"${out}"${cut ? `… (${input.length} characters)` : ''}`;
}

// invalidReference builds the error for an image string that is not a usable reference.
export function invalidReference(
  input: string,
  reason: string,
  code: ReferenceErrorCode = 'REFERENCE_INVALID',
): ImageReferenceError {
  return new ImageReferenceError(
    code,
    `image ${quoteInput(input)} is not a valid reference: ${reason}`,
    reason,
    input,
  );
}

// invalidGlob builds the error for a policy image glob that cannot be compiled.
export function invalidGlob(glob: string, reason: string): ImageReferenceError {
  return new ImageReferenceError(
    'REFERENCE_INVALID_GLOB',
    `image glob ${quoteInput(glob)} is not valid: ${reason}`,
    reason,
    glob,
  );
}
