import type { NotationAlgorithm, SignedAttributes } from './envelope.types';
import {
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
  HEADER_SIGNING_SCHEME,
  HEADER_SIGNING_TIME,
  HEADER_VERIFICATION_PLUGIN,
  HEADER_VERIFICATION_PLUGIN_MIN_VERSION,
  NOTARY_PAYLOAD_TYPE,
  SIGNING_SCHEMES,
  type SigningScheme,
} from './media-types';

/** Thrown by envelope parsers for anything malformed; turned into VERIFY_ENVELOPE_INVALID by the caller. */
export class EnvelopeFormatError extends Error {}

const ALGORITHMS: readonly NotationAlgorithm[] = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Critical headers this verifier understands (`alg`/`crit`/`cty` are always processed). */
const KNOWN_CRITICAL = new Set([HEADER_SIGNING_SCHEME, HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY]);
const PLUGIN_HEADERS = new Set([HEADER_VERIFICATION_PLUGIN, HEADER_VERIFICATION_PLUGIN_MIN_VERSION]);

/** Protected headers with names normalised (COSE labels 1/2/3 become alg/crit/cty) and times as Dates. */
export interface NormalisedHeaders {
  readonly alg: unknown;
  readonly crit: unknown;
  readonly cty: unknown;
  /** Every other protected header by name; times already converted to Date by the format parser. */
  readonly others: ReadonlyMap<string, unknown>;
}

/**
 * Applies the Notary Project's protected-header rules shared by JWS and COSE: alg, cty, crit (which must
 * list the signing scheme, expiry and authenticSigningTime when present, and nothing unknown), the signing
 * scheme and the times it requires. Throws EnvelopeFormatError saying which rule failed.
 */
export function toSignedAttributes(h: NormalisedHeaders): SignedAttributes {
  if (typeof h.alg !== 'string' || !ALGORITHMS.includes(h.alg as NotationAlgorithm))
    throw new EnvelopeFormatError(
      `unsupported signature algorithm ${describe(h.alg)}: use PS256/384/512 or ES256/384/512`,
    );
  if (h.cty !== NOTARY_PAYLOAD_TYPE)
    throw new EnvelopeFormatError(`content type (cty) is ${describe(h.cty)}, not "${NOTARY_PAYLOAD_TYPE}"`);
  const crit = toCritical(h.crit);
  for (const name of crit) {
    if (PLUGIN_HEADERS.has(name))
      throw new EnvelopeFormatError(
        `critical header "${name}" requires a Notation verification plugin (${describe(h.others.get(HEADER_VERIFICATION_PLUGIN))}), which Portcullis does not run`,
      );
  }
  const unknown = crit.filter((n) => !KNOWN_CRITICAL.has(n) && !PLUGIN_HEADERS.has(n));
  if (unknown.length > 0)
    throw new EnvelopeFormatError(
      `unknown critical header${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} listed in crit`,
    );
  for (const name of crit)
    if (!h.others.has(name)) throw new EnvelopeFormatError(`crit lists "${name}" but the header is absent`);
  for (const name of KNOWN_CRITICAL)
    if (h.others.has(name) && !crit.includes(name))
      throw new EnvelopeFormatError(`header "${name}" is present but not listed in crit`);
  const scheme = h.others.get(HEADER_SIGNING_SCHEME);
  if (!SIGNING_SCHEMES.includes(scheme as SigningScheme))
    throw new EnvelopeFormatError(
      `signing scheme ${describe(scheme)} is not notary.x509 or notary.x509.signingAuthority`,
    );
  const signingTime = toTime(h.others.get(HEADER_SIGNING_TIME), HEADER_SIGNING_TIME);
  const authenticSigningTime = toTime(
    h.others.get(HEADER_AUTHENTIC_SIGNING_TIME),
    HEADER_AUTHENTIC_SIGNING_TIME,
  );
  const expiry = toTime(h.others.get(HEADER_EXPIRY), HEADER_EXPIRY);
  if (scheme === 'notary.x509' && signingTime === undefined)
    throw new EnvelopeFormatError(`scheme notary.x509 requires the ${HEADER_SIGNING_TIME} header`);
  if (scheme === 'notary.x509' && authenticSigningTime !== undefined)
    throw new EnvelopeFormatError(`scheme notary.x509 must not carry ${HEADER_AUTHENTIC_SIGNING_TIME}`);
  if (scheme === 'notary.x509.signingAuthority' && authenticSigningTime === undefined)
    throw new EnvelopeFormatError(
      `scheme notary.x509.signingAuthority requires ${HEADER_AUTHENTIC_SIGNING_TIME}`,
    );
  const signed = authenticSigningTime ?? signingTime;
  if (expiry !== undefined && signed !== undefined && expiry.getTime() <= signed.getTime())
    throw new EnvelopeFormatError('the expiry is not after the signing time');
  return {
    alg: h.alg as NotationAlgorithm,
    signingScheme: scheme as SigningScheme,
    ...(signingTime ? { signingTime } : {}),
    ...(authenticSigningTime ? { authenticSigningTime } : {}),
    ...(expiry ? { expiry } : {}),
  };
}

// toCritical checks crit is a non-empty list of distinct header names.
function toCritical(crit: unknown): string[] {
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string'))
    throw new EnvelopeFormatError('the crit header must be a non-empty list of header names');
  const names = crit as string[];
  if (new Set(names).size !== names.length) throw new EnvelopeFormatError('crit lists a header twice');
  if (!names.includes(HEADER_SIGNING_SCHEME))
    throw new EnvelopeFormatError(`crit must list "${HEADER_SIGNING_SCHEME}"`);
  return names;
}

// toTime accepts a Date (COSE tag 1, converted by the parser) or nothing; anything else is malformed.
function toTime(v: unknown, name: string): Date | undefined {
  if (v === undefined) return undefined;
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  throw new EnvelopeFormatError(`header "${name}" is not a valid time`);
}

/** Short, safe rendering of an attacker-controlled header value for messages. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v);
  if (v === undefined) return '(absent)';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `(a ${Array.isArray(v) ? 'list' : typeof v})`;
}
