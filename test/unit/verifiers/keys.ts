// Test helpers: compile node:crypto keys into CompiledPublicKey the way the policy compiler does.
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { CompiledPublicKey } from '../../../src/policy/compile/compiled.types';

export type KeyKind = 'p256' | 'p384' | 'p521' | 'rsa2048' | 'ed25519';

export interface TestKeyPair {
  readonly kind: KeyKind;
  readonly privateKey: KeyObject;
  readonly compiled: CompiledPublicKey;
}

const CURVES = { p256: 'P-256', p384: 'P-384', p521: 'P-521' } as const;

// generateTestKey makes a fresh key pair of one kind.
export function generateTestKey(kind: KeyKind): TestKeyPair {
  const pair =
    kind === 'rsa2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : kind === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: CURVES[kind] });
  return { kind, privateKey: pair.privateKey, compiled: compileKey(pair.publicKey) };
}

// compileKey mirrors the policy compiler's output for a parsed public key.
export function compileKey(publicKey: KeyObject, withOptional = true): CompiledPublicKey {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const id = `sha256:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
  const type = publicKey.asymmetricKeyType;
  if (type === 'ec') {
    const named = publicKey.asymmetricKeyDetails?.namedCurve;
    const curve = named === 'prime256v1' ? 'P-256' : named === 'secp384r1' ? 'P-384' : 'P-521';
    return withOptional
      ? { id, type: 'ecdsa', curve, keyObject: publicKey }
      : { id, type: 'ecdsa', keyObject: publicKey };
  }
  if (type === 'ed25519') {
    const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    return withOptional
      ? { id, type: 'ed25519', keyObject: publicKey, ed25519Raw: raw }
      : { id, type: 'ed25519', keyObject: publicKey };
  }
  return { id, type: 'rsa', keyObject: publicKey };
}

// rawEd25519Private extracts the 32-byte seed for @noble/curves.
export function rawEd25519Private(privateKey: KeyObject): Uint8Array {
  return Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
}
