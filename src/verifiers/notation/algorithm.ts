import { constants, verify, type KeyObject } from 'node:crypto';
import type { NotationAlgorithm } from './envelope.types';

interface AlgorithmSpec {
  readonly hash: 'sha256' | 'sha384' | 'sha512';
  readonly key: 'rsa' | 'ec';
  /** RSA modulus bits, or EC named curve, that the Notary Project pairs with this algorithm. */
  readonly size: number | string;
}

const SPECS: Readonly<Record<NotationAlgorithm, AlgorithmSpec>> = {
  PS256: { hash: 'sha256', key: 'rsa', size: 2048 },
  PS384: { hash: 'sha384', key: 'rsa', size: 3072 },
  PS512: { hash: 'sha512', key: 'rsa', size: 4096 },
  ES256: { hash: 'sha256', key: 'ec', size: 'prime256v1' },
  ES384: { hash: 'sha384', key: 'ec', size: 'secp384r1' },
  ES512: { hash: 'sha512', key: 'ec', size: 'secp521r1' },
};
const CURVE_NAMES: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** The algorithm the Notary Project derives from a key (RSA 2048/3072/4096, EC P-256/384/521), if any. */
export function algorithmForKey(key: KeyObject): NotationAlgorithm | undefined {
  const type = key.asymmetricKeyType;
  const size =
    type === 'rsa' ? key.asymmetricKeyDetails?.modulusLength : key.asymmetricKeyDetails?.namedCurve;
  const found = Object.entries(SPECS).find(([, s]) => s.key === type && s.size === size);
  return found?.[0] as NotationAlgorithm | undefined;
}

/** Describes a key for messages: `RSA 3072`, `EC P-256`. */
export function describeKey(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${d?.modulusLength ?? '?'}`;
  if (key.asymmetricKeyType === 'ec') return `EC ${CURVE_NAMES[d?.namedCurve ?? ''] ?? d?.namedCurve ?? '?'}`;
  return key.asymmetricKeyType ?? 'unknown';
}

/**
 * Verifies `signature` over `data` with `alg`: RSASSA-PSS with the salt length equal to the hash length,
 * or ECDSA with the raw r‖s encoding of JWS and COSE. Never throws on malformed input.
 */
export function verifySignature(
  alg: NotationAlgorithm,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): boolean {
  const spec = SPECS[alg];
  try {
    if (spec.key === 'rsa') {
      const saltLength = spec.hash === 'sha256' ? 32 : spec.hash === 'sha384' ? 48 : 64;
      return verify(
        spec.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength },
        signature,
      );
    }
    return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}
