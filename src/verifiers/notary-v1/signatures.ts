// The four signature methods Notary uses, over the canonical JSON of a role's `signed` object.
import { constants, verify as cryptoVerify } from 'node:crypto';
import { MAX_SIGNATURE_BYTES } from '../kit/signature';
import type { TufKey, TufKeyType } from './keys';

/** Signature methods Notary writes in `signatures[].method`. */
export const TUF_SIGNATURE_METHODS = ['ecdsa', 'rsapss', 'rsapkcs1v15', 'eddsa'] as const;
export type TufSignatureMethod = (typeof TUF_SIGNATURE_METHODS)[number];

/** Salt length of Notary's RSASSA-PSS signatures (that of SHA-256). */
export const RSA_PSS_SALT_BYTES = 32;

const METHOD_KEYS: Readonly<Record<TufSignatureMethod, readonly TufKeyType[]>> = {
  ecdsa: ['ecdsa', 'ecdsa-x509'],
  rsapss: ['rsa', 'rsa-x509'],
  rsapkcs1v15: ['rsa', 'rsa-x509'],
  eddsa: ['ed25519'],
};

/** Why a signature did not count, or `ok`. */
export type SignatureCheck = 'ok' | 'invalid' | 'unsupported-method' | 'method-key-mismatch';

/**
 * Checks one TUF signature (attacker-controlled `method` and `signature`) over `data`:
 * `ecdsa` is raw r‖s over SHA-256, `rsapss` PSS with a 32-byte salt over SHA-256, `rsapkcs1v15` PKCS#1 v1.5
 * over SHA-256, `eddsa` pure Ed25519. Never throws.
 */
export function checkTufSignature(
  key: TufKey,
  method: unknown,
  data: Buffer,
  signature: Buffer,
): SignatureCheck {
  if (typeof method !== 'string' || !(TUF_SIGNATURE_METHODS as readonly string[]).includes(method)) {
    return 'unsupported-method';
  }
  const m = method as TufSignatureMethod;
  if (!METHOD_KEYS[m].includes(key.type)) return 'method-key-mismatch';
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) return 'invalid';
  try {
    return verifyWith(m, key, data, signature) ? 'ok' : 'invalid';
  } catch {
    return 'invalid';
  }
}

// verifyWith runs node:crypto with the parameters of one method.
function verifyWith(method: TufSignatureMethod, key: TufKey, data: Buffer, signature: Buffer): boolean {
  const keyObject = key.keyObject;
  switch (method) {
    case 'ecdsa':
      return cryptoVerify('sha256', data, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature);
    case 'rsapss':
      return cryptoVerify(
        'sha256',
        data,
        { key: keyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: RSA_PSS_SALT_BYTES },
        signature,
      );
    case 'rsapkcs1v15':
      return cryptoVerify(
        'sha256',
        data,
        { key: keyObject, padding: constants.RSA_PKCS1_PADDING },
        signature,
      );
    case 'eddsa':
      return cryptoVerify(null, data, keyObject, signature);
  }
}
