import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { PolicyError } from '../../../../src/policy/errors';
import { MAX_KEYS_PER_AUTHORITY, parsePublicKeys, shortKeyId } from '../../../../src/policy/authorities/keys';
import { publicPem } from '../helpers';

const PATH = 'spec.authorities[0].cosign.key.data';

// expectKeyError checks class, code, field path and a message fragment.
function expectKeyError(text: string, fragment: string): PolicyError {
  try {
    parsePublicKeys(text, PATH);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    const err = e as PolicyError;
    expect(err.code).toBe('POLICY_KEY_INVALID');
    expect(err.fieldErrors).toEqual([expect.objectContaining({ path: PATH, code: 'POLICY_KEY_INVALID' })]);
    expect(err.message).toContain(fragment);
    return err;
  }
  throw new Error('expected parsePublicKeys to throw');
}

describe('parsePublicKeys', () => {
  test.each([
    ['p256', 'ecdsa', 'P-256'],
    ['p384', 'ecdsa', 'P-384'],
    ['p521', 'ecdsa', 'P-521'],
    ['rsa2048', 'rsa', undefined],
    ['rsa3072', 'rsa', undefined],
    ['ed25519', 'ed25519', undefined],
  ] as const)('accepts %s', (kind, type, curve) => {
    const pem = publicPem(kind);
    const [key, ...rest] = parsePublicKeys(pem, PATH);
    expect(rest).toEqual([]);
    expect(key?.type).toBe(type);
    expect(key?.curve).toBe(curve);
    const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
    expect(key?.id).toBe(`sha256:${createHash('sha256').update(der).digest('hex')}`);
  });

  test('extracts the raw Ed25519 key usable by @noble ed25519ph', () => {
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const [key] = parsePublicKeys(pem, PATH);
    const seed = Buffer.from(pair.privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    const message = Buffer.from('payload');
    const sig = ed25519.sign(message, seed);
    expect(key?.ed25519Raw).toHaveLength(32);
    expect(ed25519.verify(sig, message, key?.ed25519Raw ?? new Uint8Array())).toBe(true);
  });

  test('accepts several concatenated keys and dedupes repeats', () => {
    const a = publicPem('p256');
    const b = publicPem('ed25519');
    const keys = parsePublicKeys(`${a}\n${b}\n${a}`, PATH);
    expect(keys.map((k) => k.type)).toEqual(['ecdsa', 'ed25519']);
  });

  test('accepts a PKCS#1 RSA PUBLIC KEY block', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(parsePublicKeys(pem, PATH)[0]?.type).toBe('rsa');
  });

  test('rejects text that is not PEM', () => {
    expectKeyError('hello', 'not a PEM public key');
  });

  test('rejects a damaged PEM body', () => {
    const body = publicPem('p256').split('\n')[1] ?? '';
    expectKeyError(
      `-----BEGIN PUBLIC KEY-----\n${body.slice(0, 20)}\n-----END PUBLIC KEY-----\n`,
      'not a PEM public key',
    );
  });

  test('rejects junk around the PEM', () => {
    expectKeyError(`${publicPem('p256')}\nextra`, 'outside the PEM blocks');
  });

  test('rejects a truncated second key', () => {
    expectKeyError(`${publicPem('p256')}-----BEGIN PUBLIC KEY-----\nMFkw`, 'outside the PEM blocks');
  });

  test.each([
    [
      'pkcs8',
      (k: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
        k.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ],
    [
      'sec1',
      (k: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
        k.export({ type: 'sec1', format: 'pem' }).toString(),
    ],
  ])('rejects a %s private key without echoing it', (_name, exportKey) => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = exportKey(pair.privateKey);
    const err = expectKeyError(pem, 'private key given: paste the PUBLIC key (cosign.pub)');
    const body = pem.split('\n')[1] ?? '';
    expect(body.length).toBeGreaterThan(20);
    expect(err.message).not.toContain(body.slice(0, 20));
    expect(JSON.stringify(err.details)).not.toContain(body.slice(0, 20));
  });

  test('rejects an encrypted cosign private key', () => {
    expectKeyError(
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----',
      'private key given',
    );
  });

  test('rejects secp256k1', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expectKeyError(pem, 'ECDSA curve secp256k1 is not supported');
  });

  test('rejects RSA shorter than 2048 bits', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expectKeyError(pem, 'RSA key too short: 1024 bits');
  });

  test('rejects other key types', () => {
    const pem = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expectKeyError(pem, 'x25519 keys are not supported');
  });

  test('rejects a certificate with advice', () => {
    expectKeyError('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', 'openssl x509 -pubkey');
  });

  test('rejects too many keys', () => {
    const pem = publicPem('ed25519');
    const many = Array.from({ length: MAX_KEYS_PER_AUTHORITY + 1 }, () => pem).join('\n');
    expectKeyError(many, `at most ${MAX_KEYS_PER_AUTHORITY}`);
  });

  test('names the failing block when several are given', () => {
    const bad = generateKeyPairSync('ec', { namedCurve: 'secp256k1' })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expectKeyError(`${publicPem('p256')}${bad}`, 'PEM block 2 of 2: ECDSA curve secp256k1');
  });

  test('shortKeyId shortens ids for messages', () => {
    expect(shortKeyId(`sha256:${'a'.repeat(64)}`)).toBe('sha256:aaaaaaaaaaaa…');
    expect(shortKeyId('sha256:abc')).toBe('sha256:abc');
  });
});
