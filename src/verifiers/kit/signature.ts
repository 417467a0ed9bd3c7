import { constants, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519';
import type { CompiledPublicKey } from '../../policy/compile/compiled.types';

/** Longest signature we try to verify; RSA-8192 is 1024 bytes, anything longer is garbage. */
export const MAX_SIGNATURE_BYTES = 1024;

type Curve = NonNullable<CompiledPublicKey['curve']>;

/** Digests cosign and sigstore-go have used per curve; the first is the current default. */
const ECDSA_HASHES: Readonly<Record<Curve, readonly string[]>> = {
  'P-256': ['sha256'],
  'P-384': ['sha384', 'sha256'],
  'P-521': ['sha512', 'sha256'],
};

/** Bytes of one coordinate; a raw r‖s (IEEE P1363) signature is exactly twice this long. */
const FIELD_BYTES: Readonly<Record<Curve, number>> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

const NAMED_CURVES: Readonly<Record<string, Curve>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Checks `signature` over `data` with one compiled key, trying every scheme cosign signs with for that
 * key type (see docs/cosign.md). Never throws: malformed signature bytes simply do not verify.
 * `data` and `signature` are attacker-controlled.
 */
export function verifyWithKey(key: CompiledPublicKey, data: Buffer, signature: Buffer): boolean {
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) return false;
  try {
    switch (key.type) {
      case 'ecdsa':
        return verifyEcdsa(key, data, signature);
      case 'rsa':
        return verifyRsa(key.keyObject, data, signature);
      case 'ed25519':
        return verifyEd25519(key, data, signature);
    }
  } catch {
    return false;
  }
}

// verifyEcdsa accepts DER (cosign's encoding) and, only at the exact raw length, IEEE P1363 r‖s.
function verifyEcdsa(key: CompiledPublicKey, data: Buffer, signature: Buffer): boolean {
  const curve = key.curve ?? curveOf(key.keyObject);
  if (curve === undefined) return false;
  const encodings: ('der' | 'ieee-p1363')[] = ['der'];
  if (signature.length === 2 * FIELD_BYTES[curve]) encodings.push('ieee-p1363');
  for (const hash of ECDSA_HASHES[curve]) {
    for (const dsaEncoding of encodings) {
      if (safeVerify(hash, data, { key: key.keyObject, dsaEncoding }, signature)) return true;
    }
  }
  return false;
}

// curveOf reads the curve from the key itself, for compiled keys that did not record it.
function curveOf(keyObject: KeyObject): Curve | undefined {
  const named = keyObject.asymmetricKeyDetails?.namedCurve;
  return named === undefined ? undefined : NAMED_CURVES[named];
}

// verifyRsa tries PKCS#1 v1.5 (cosign's default) and then PSS, both over SHA-256.
function verifyRsa(keyObject: KeyObject, data: Buffer, signature: Buffer): boolean {
  if (keyObject.asymmetricKeyType === 'rsa') {
    if (safeVerify('sha256', data, { key: keyObject, padding: constants.RSA_PKCS1_PADDING }, signature)) {
      return true;
    }
  }
  const pss = { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING };
  return (
    safeVerify('sha256', data, { ...pss, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, signature) ||
    safeVerify('sha256', data, { ...pss, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature)
  );
}

// verifyEd25519 tries pure Ed25519 (node:crypto) and Ed25519ph, cosign's default since v2.2 (noble).
function verifyEd25519(key: CompiledPublicKey, data: Buffer, signature: Buffer): boolean {
  if (signature.length !== 64) return false;
  if (safeVerify(null, data, key.keyObject, signature)) return true;
  const raw = key.ed25519Raw ?? rawEd25519(key.keyObject);
  return ed25519ph.verify(signature, data, raw);
}

// rawEd25519 extracts the 32-byte public key when the compiled key did not carry it.
function rawEd25519(keyObject: KeyObject): Uint8Array {
  const jwk = keyObject.export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url');
}

// safeVerify turns OpenSSL's throws on malformed input into a plain "does not verify".
function safeVerify(
  algorithm: string | null,
  data: Buffer,
  key:
    KeyObject | { key: KeyObject; dsaEncoding?: 'der' | 'ieee-p1363'; padding?: number; saltLength?: number },
  signature: Buffer,
): boolean {
  try {
    return cryptoVerify(algorithm, data, key, signature);
  } catch {
    return false;
  }
}
