import type { CompiledPublicKey } from '../../policy/compile/compiled.types';
import { findSigningKey } from '../kit/dsse';
import { MAX_SIGNATURE_ANNOTATION_CHARS } from './limits';
import type { SignatureOutcome } from './outcome.types';
import { checkSimpleSigningPayload } from './payload';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks one legacy `.sig` layer: `signatureB64` (the layer's signature annotation) must verify over the
 * EXACT payload bytes with one of `keys`, then the payload must name `digest`. All inputs but `digest`
 * and `keys` are attacker-controlled. `keyless` marks layers that carry a Fulcio certificate.
 */
export function checkLegacySignature(
  payload: Buffer,
  signatureB64: string,
  digest: string,
  keys: readonly CompiledPublicKey[],
  where: string,
  keyless: boolean,
): SignatureOutcome {
  const signature = decodeSignature(signatureB64);
  if (signature === undefined) {
    return {
      ok: false,
      kind: 'payload',
      where,
      reason: 'signature annotation is not base64',
      keyVerified: false,
    };
  }
  const key = findSigningKey(keys, payload, signature);
  if (key === undefined) {
    const reason = keyless
      ? 'signed with a certificate (keyless), not with a key of this authority'
      : 'signed by another key, or the payload was altered';
    return { ok: false, kind: 'signature', where, reason, keyVerified: false };
  }
  const check = checkSimpleSigningPayload(payload, digest);
  if (!check.ok) return { ok: false, kind: check.kind, where, reason: check.reason, keyVerified: true };
  return { ok: true, format: 'legacy', where, keyId: key.id };
}

// decodeSignature is strict base64: Buffer.from would silently skip junk characters.
function decodeSignature(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (trimmed.length > MAX_SIGNATURE_ANNOTATION_CHARS || trimmed.length % 4 !== 0 || !BASE64.test(trimmed)) {
    return undefined;
  }
  return Buffer.from(trimmed, 'base64');
}
