// TUF public keys as Notary writes them in root.json and in delegations (`keytype` + `keyval.public`).
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { tufKeyId } from '../../policy/authorities/notary-keys';
import { isRecord } from '../../guards';

/** Key types Notary signs with. */
export const TUF_KEY_TYPES = ['ecdsa', 'ecdsa-x509', 'rsa', 'rsa-x509', 'ed25519'] as const;
export type TufKeyType = (typeof TUF_KEY_TYPES)[number];

/** Longest `keyval.public` we decode (a base64 PEM certificate is ~1–3 KiB). */
export const MAX_TUF_PUBLIC_KEY_CHARS = 16 * 1024;

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** A key parsed from metadata; `spki` (DER) is what pinned keys are compared on. */
export interface TufKey {
  readonly id: string;
  readonly type: TufKeyType;
  readonly keyObject: KeyObject;
  readonly spki: Buffer;
}

/** A key that cannot be used, with why (unknown type, damaged encoding, wrong algorithm). */
export class TufKeyError extends Error {}

/**
 * Parses one metadata key (attacker-controlled): `ecdsa`/`rsa` hold base64 SPKI DER, `ed25519` the raw
 * 32 bytes, `*-x509` the base64 of a PEM certificate. `id` is the key id Notary computes for it.
 * Throws TufKeyError. The certificate's validity dates are not checked: Notary uses it as a key container.
 */
export function parseTufKey(raw: unknown): TufKey {
  const o = isRecord(raw) ? raw : {};
  const keyval = isRecord(o.keyval) ? o.keyval : {};
  const type = o.keytype;
  const pub = keyval.public;
  if (typeof type !== 'string' || !(TUF_KEY_TYPES as readonly string[]).includes(type)) {
    const shown = typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : 'missing';
    throw new TufKeyError(`key type ${shown} is not supported (supported: ${TUF_KEY_TYPES.join(', ')})`);
  }
  if (typeof pub !== 'string' || pub.length === 0 || pub.length > MAX_TUF_PUBLIC_KEY_CHARS) {
    throw new TufKeyError(`a ${type} key has no usable keyval.public`);
  }
  const keyType = type as TufKeyType;
  const keyObject = toKeyObject(keyType, Buffer.from(pub, 'base64'));
  const expected = keyType.startsWith('rsa') ? 'rsa' : keyType.startsWith('ecdsa') ? 'ec' : 'ed25519';
  if (keyObject.asymmetricKeyType !== expected) {
    throw new TufKeyError(`a ${type} key holds a ${keyObject.asymmetricKeyType ?? 'unknown'} public key`);
  }
  const spki = keyObject.export({ type: 'spki', format: 'der' });
  return { id: tufKeyId(keyType, pub), type: keyType, keyObject, spki };
}

// toKeyObject decodes `keyval.public` per key type; any parse failure becomes a TufKeyError.
function toKeyObject(type: TufKeyType, bytes: Buffer): KeyObject {
  try {
    switch (type) {
      case 'ecdsa':
      case 'rsa':
        return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
      case 'ed25519':
        if (bytes.length !== 32) throw new TufKeyError('an ed25519 key is not 32 bytes');
        return createPublicKey({
          key: Buffer.concat([ED25519_SPKI_PREFIX, bytes]),
          format: 'der',
          type: 'spki',
        });
      case 'ecdsa-x509':
      case 'rsa-x509':
        return new X509Certificate(bytes.toString('utf8')).publicKey;
    }
  } catch (error) {
    if (error instanceof TufKeyError) throw error;
    throw new TufKeyError(`a ${type} key does not decode (damaged base64, DER or certificate)`);
  }
}
