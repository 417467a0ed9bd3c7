import type { ParsedEnvelope } from './envelope.types';
import { EnvelopeFormatError, toSignedAttributes } from './headers';
import { MAX_CERT_CHAIN_LENGTH, MAX_TIMESTAMP_TOKEN_BYTES } from './limits';
import {
  HEADER_AUTHENTIC_SIGNING_TIME,
  HEADER_EXPIRY,
  HEADER_SIGNING_TIME,
  HEADER_TIMESTAMP_SIGNATURE,
} from './media-types';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const TIME_HEADERS = new Set([HEADER_SIGNING_TIME, HEADER_AUTHENTIC_SIGNING_TIME, HEADER_EXPIRY]);
const TOP_LEVEL = new Set(['payload', 'protected', 'header', 'signature']);

/**
 * Parses a Notation JWS envelope: the flattened JSON serialization with `protected`, `payload`,
 * `signature` and the unprotected `header` (`x5c`, `io.cncf.notary.timestampSignature`). Throws
 * EnvelopeFormatError for anything malformed. `bytes` is attacker-controlled.
 */
export function parseJwsEnvelope(bytes: Buffer): ParsedEnvelope {
  const env = parseObject(bytes.toString('utf8'), 'the JWS envelope');
  if ('signatures' in env)
    throw new EnvelopeFormatError('general JWS serialization (signatures[]) is not a Notation envelope');
  for (const k of Object.keys(env))
    if (!TOP_LEVEL.has(k)) throw new EnvelopeFormatError(`unexpected JWS member "${k.slice(0, 40)}"`);
  const { protected: prot, payload, signature } = env;
  if (typeof prot !== 'string' || typeof payload !== 'string' || typeof signature !== 'string')
    throw new EnvelopeFormatError('a JWS envelope needs string "protected", "payload" and "signature"');
  const headers = parseObject(fromBase64Url(prot, 'protected').toString('utf8'), 'the protected header');
  const others = new Map<string, unknown>();
  for (const [k, v] of Object.entries(headers)) {
    if (k === 'alg' || k === 'crit' || k === 'cty') continue;
    others.set(k, TIME_HEADERS.has(k) ? toDate(v, k) : v);
  }
  const attributes = toSignedAttributes({ alg: headers.alg, crit: headers.crit, cty: headers.cty, others });
  const unprotected = env.header === undefined ? {} : env.header;
  if (typeof unprotected !== 'object' || unprotected === null || Array.isArray(unprotected))
    throw new EnvelopeFormatError('the JWS "header" member must be an object');
  const header = unprotected as Record<string, unknown>;
  const token = header[HEADER_TIMESTAMP_SIGNATURE];
  return {
    format: 'jws',
    attributes,
    payload: isBase64Url(payload) ? Buffer.from(payload, 'base64url') : undefined,
    signedBytes: Buffer.from(`${prot}.${payload}`, 'ascii'),
    signature: fromBase64Url(signature, 'signature'),
    certificates: toChain(header.x5c),
    ...(token === undefined ? {} : { timestampToken: toToken(token) }),
  };
}

// parseObject parses JSON and demands an object.
function parseObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new EnvelopeFormatError(`${what} is not valid JSON`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new EnvelopeFormatError(`${what} is not a JSON object`);
  return v as Record<string, unknown>;
}

// isBase64Url accepts strict unpadded base64url (RFC 7515 §2).
function isBase64Url(s: string): boolean {
  return BASE64URL.test(s) && s.length % 4 !== 1;
}

// fromBase64Url decodes strict unpadded base64url.
function fromBase64Url(s: string, what: string): Buffer {
  if (!isBase64Url(s)) throw new EnvelopeFormatError(`JWS ${what} is not unpadded base64url`);
  return Buffer.from(s, 'base64url');
}

// toDate parses an RFC 3339 time header.
function toDate(v: unknown, name: string): Date {
  if (typeof v !== 'string' || !RFC3339.test(v))
    throw new EnvelopeFormatError(`header "${name}" is not an RFC 3339 time`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new EnvelopeFormatError(`header "${name}" is not a valid time`);
  return d;
}

// toChain decodes x5c: standard base64 DER certificates, leaf first.
function toChain(x5c: unknown): Buffer[] {
  if (x5c === undefined) throw new EnvelopeFormatError('the envelope has no x5c certificate chain');
  if (!Array.isArray(x5c) || x5c.length === 0)
    throw new EnvelopeFormatError('x5c must be a non-empty list of certificates');
  if (x5c.length > MAX_CERT_CHAIN_LENGTH)
    throw new EnvelopeFormatError(
      `x5c holds ${x5c.length} certificates; at most ${MAX_CERT_CHAIN_LENGTH} are accepted`,
    );
  return x5c.map((c, i) => {
    if (typeof c !== 'string' || !BASE64.test(c) || c.length === 0)
      throw new EnvelopeFormatError(`x5c[${i}] is not base64`);
    return Buffer.from(c, 'base64');
  });
}

// toToken decodes the base64 RFC 3161 token of the unprotected header.
function toToken(v: unknown): Buffer {
  if (typeof v !== 'string' || !BASE64.test(v) || v.length === 0)
    throw new EnvelopeFormatError(`${HEADER_TIMESTAMP_SIGNATURE} is not base64`);
  const token = Buffer.from(v, 'base64');
  if (token.length > MAX_TIMESTAMP_TOKEN_BYTES)
    throw new EnvelopeFormatError(`the timestamp token is over ${MAX_TIMESTAMP_TOKEN_BYTES} bytes`);
  return token;
}
