import { decodeStrictCbor, encodeString, isTag } from './cbor';
import type { NotationAlgorithm, ParsedEnvelope } from './envelope.types';
import { EnvelopeFormatError, toSignedAttributes } from './headers';
import { MAX_CERT_CHAIN_LENGTH, MAX_TIMESTAMP_TOKEN_BYTES } from './limits';
import { HEADER_TIMESTAMP_SIGNATURE } from './media-types';

/** COSE_Sign1's CBOR tag (RFC 9052). */
export const COSE_SIGN1_TAG = 18;
const LABEL_ALG = 1;
const LABEL_CRIT = 2;
const LABEL_CTY = 3;
const LABEL_X5CHAIN = 33;
const ALGORITHMS: ReadonlyMap<number, NotationAlgorithm> = new Map([
  [-37, 'PS256'],
  [-38, 'PS384'],
  [-39, 'PS512'],
  [-7, 'ES256'],
  [-35, 'ES384'],
  [-36, 'ES512'],
]);
const LABEL_NAMES: ReadonlyMap<unknown, string> = new Map([
  [LABEL_ALG, 'alg'],
  [LABEL_CRIT, 'crit'],
  [LABEL_CTY, 'cty'],
]);

/**
 * Parses a Notation COSE envelope: a tagged COSE_Sign1 `[protected bstr, unprotected map, payload bstr,
 * signature bstr]` with x5chain (label 33) and the timestamp countersignature in the unprotected map.
 * The CBOR is decoded strictly. Throws EnvelopeFormatError for anything malformed. Attacker-controlled.
 */
export function parseCoseEnvelope(bytes: Buffer): ParsedEnvelope {
  const top = decodeStrictCbor(bytes, 'the COSE envelope');
  if (!isTag(top, COSE_SIGN1_TAG))
    throw new EnvelopeFormatError('the COSE envelope is not a tagged COSE_Sign1 (CBOR tag 18)');
  const parts: unknown = top.value;
  if (!Array.isArray(parts) || parts.length !== 4)
    throw new EnvelopeFormatError('COSE_Sign1 must be an array of 4 items');
  const [prot, unprot, payload, signature] = parts as unknown[];
  if (!isBytes(prot) || prot.length === 0)
    throw new EnvelopeFormatError('the COSE protected header must be a non-empty byte string');
  if (!(unprot instanceof Map)) throw new EnvelopeFormatError('the COSE unprotected header must be a map');
  if (!isBytes(payload)) throw new EnvelopeFormatError('the COSE payload must be an embedded byte string');
  if (!isBytes(signature)) throw new EnvelopeFormatError('the COSE signature must be a byte string');
  const headers = decodeStrictCbor(prot, 'the COSE protected header');
  if (!(headers instanceof Map)) throw new EnvelopeFormatError('the COSE protected header is not a map');
  const others = new Map<string, unknown>();
  for (const [k, v] of headers) {
    if (LABEL_NAMES.has(k)) continue;
    if (typeof k !== 'string')
      throw new EnvelopeFormatError(`unexpected integer label ${String(k)} in the COSE protected header`);
    others.set(k, v);
  }
  const alg = headers.get(LABEL_ALG);
  const crit: unknown = headers.get(LABEL_CRIT);
  const attributes = toSignedAttributes({
    alg: typeof alg === 'number' ? (ALGORITHMS.get(alg) ?? `COSE algorithm ${alg}`) : alg,
    crit: Array.isArray(crit) ? crit.map((c) => LABEL_NAMES.get(c) ?? c) : crit,
    cty: headers.get(LABEL_CTY),
    others,
  });
  const token: unknown = unprot.get(HEADER_TIMESTAMP_SIGNATURE);
  if (token !== undefined && (!isBytes(token) || token.length > MAX_TIMESTAMP_TOKEN_BYTES))
    throw new EnvelopeFormatError(
      `${HEADER_TIMESTAMP_SIGNATURE} must be a byte string of at most ${MAX_TIMESTAMP_TOKEN_BYTES} bytes`,
    );
  return {
    format: 'cose',
    attributes,
    payload: Buffer.from(payload),
    signedBytes: toSigStructure(prot, payload),
    signature: Buffer.from(signature),
    certificates: toChain(unprot.get(LABEL_X5CHAIN)),
    ...(token === undefined ? {} : { timestampToken: Buffer.from(token as Uint8Array) }),
  };
}

// toSigStructure builds the bytes COSE_Sign1 signs: ["Signature1", protected, h'', payload] (RFC 9052 §4.4).
function toSigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Buffer {
  return Buffer.concat([
    Buffer.from([0x84]),
    encodeString(3, Buffer.from('Signature1', 'ascii')),
    encodeString(2, protectedBytes),
    encodeString(2, new Uint8Array(0)),
    encodeString(2, payload),
  ]);
}

// toChain reads x5chain: one certificate as a byte string, or several as an array, leaf first.
function toChain(x5chain: unknown): Buffer[] {
  if (x5chain === undefined) throw new EnvelopeFormatError('the envelope has no x5chain certificate chain');
  const list = isBytes(x5chain) ? [x5chain] : x5chain;
  if (!Array.isArray(list) || list.length === 0)
    throw new EnvelopeFormatError('x5chain must be a certificate or a non-empty list of certificates');
  if (list.length > MAX_CERT_CHAIN_LENGTH)
    throw new EnvelopeFormatError(
      `x5chain holds ${list.length} certificates; at most ${MAX_CERT_CHAIN_LENGTH} are accepted`,
    );
  return list.map((c: unknown, i) => {
    if (!isBytes(c)) throw new EnvelopeFormatError(`x5chain[${i}] is not a byte string`);
    return Buffer.from(c);
  });
}

// isBytes narrows a decoded CBOR byte string.
function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}
