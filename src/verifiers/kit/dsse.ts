import { dsse } from '@sigstore/core';
import type { CompiledPublicKey } from '../../policy/compile/compiled.types';
import { verifyWithKey } from './signature';

/** The payload type of an in-toto statement inside a DSSE envelope. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * DSSE pre-authentication encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`, the bytes a DSSE
 * signature covers. Lengths count bytes, not characters.
 */
export function toPreAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  return dsse.preAuthEncoding(payloadType, payload);
}

/**
 * The first of `keys` under which `signature` verifies over `data`, or undefined.
 * Used for legacy payloads (data = payload bytes) and DSSE envelopes (data = PAE).
 */
export function findSigningKey(
  keys: readonly CompiledPublicKey[],
  data: Buffer,
  signature: Buffer,
): CompiledPublicKey | undefined {
  return keys.find((key) => verifyWithKey(key, data, signature));
}
