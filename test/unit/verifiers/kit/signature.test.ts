import { constants, sign, type KeyObject } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519';
import { verifyWithKey, MAX_SIGNATURE_BYTES } from '../../../../src/verifiers/kit/signature';
import { compileKey, generateTestKey, rawEd25519Private, type KeyKind, type TestKeyPair } from '../keys';

const DATA = Buffer.from('{"critical":{"type":"cosign container image signature"}}');
const keys = Object.fromEntries(
  (['p256', 'p384', 'p521', 'rsa2048', 'ed25519'] as KeyKind[]).map((k) => [k, generateTestKey(k)]),
) as Record<KeyKind, TestKeyPair>;

type Signer = (key: KeyObject, data: Buffer) => Buffer;
const ecdsa =
  (hash: string, dsaEncoding: 'der' | 'ieee-p1363' = 'der'): Signer =>
  (key, data) =>
    sign(hash, data, { key, dsaEncoding });
const rsaPkcs1 =
  (hash: string): Signer =>
  (key, data) =>
    sign(hash, data, { key, padding: constants.RSA_PKCS1_PADDING });
const rsaPss =
  (saltLength: number): Signer =>
  (key, data) =>
    sign('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
const ed25519Pure: Signer = (key, data) => sign(null, data, key);
const ed25519Prehash: Signer = (key, data) => Buffer.from(ed25519ph.sign(data, rawEd25519Private(key)));

const table: [string, KeyKind, Signer, boolean][] = [
  ['P-256 SHA-256 DER', 'p256', ecdsa('sha256'), true],
  ['P-256 SHA-256 IEEE P1363', 'p256', ecdsa('sha256', 'ieee-p1363'), true],
  ['P-256 SHA-384 (not a cosign scheme)', 'p256', ecdsa('sha384'), false],
  ['P-384 SHA-384 DER', 'p384', ecdsa('sha384'), true],
  ['P-384 SHA-256 DER (older cosign)', 'p384', ecdsa('sha256'), true],
  ['P-384 SHA-384 IEEE P1363', 'p384', ecdsa('sha384', 'ieee-p1363'), true],
  ['P-384 SHA-512 (not a cosign scheme)', 'p384', ecdsa('sha512'), false],
  ['P-521 SHA-512 DER', 'p521', ecdsa('sha512'), true],
  ['P-521 SHA-256 DER (older cosign)', 'p521', ecdsa('sha256'), true],
  ['P-521 SHA-512 IEEE P1363', 'p521', ecdsa('sha512', 'ieee-p1363'), true],
  ['RSA PKCS#1 v1.5 SHA-256', 'rsa2048', rsaPkcs1('sha256'), true],
  ['RSA PKCS#1 v1.5 SHA-512 (not a cosign scheme)', 'rsa2048', rsaPkcs1('sha512'), false],
  ['RSA-PSS SHA-256 salt = digest length', 'rsa2048', rsaPss(32), true],
  ['RSA-PSS SHA-256 maximum salt', 'rsa2048', rsaPss(constants.RSA_PSS_SALTLEN_MAX_SIGN), true],
  ['Ed25519 pure', 'ed25519', ed25519Pure, true],
  ['Ed25519ph (cosign v2.2+ default)', 'ed25519', ed25519Prehash, true],
];

describe('verifyWithKey', () => {
  it.each(table)('%s', (_name, kind, signer, expected) => {
    const { privateKey, compiled } = keys[kind];
    expect(verifyWithKey(compiled, DATA, signer(privateKey, DATA))).toBe(expected);
  });

  it.each(table.filter(([, , , ok]) => ok))(
    '%s: works without the optional curve / raw fields',
    (_n, kind, signer) => {
      const { privateKey, compiled } = keys[kind];
      const bare = compileKey(compiled.keyObject, false);
      expect(bare.curve).toBeUndefined();
      expect(verifyWithKey(bare, DATA, signer(privateKey, DATA))).toBe(true);
    },
  );

  it.each(table.filter(([, , , ok]) => ok))('%s: rejects altered data', (_name, kind, signer) => {
    const { privateKey, compiled } = keys[kind];
    const altered = Buffer.concat([DATA, Buffer.from(' ')]);
    expect(verifyWithKey(compiled, altered, signer(privateKey, DATA))).toBe(false);
  });

  it.each(table.filter(([, , , ok]) => ok))(
    '%s: rejects another key of the same type',
    (_name, kind, signer) => {
      const other = generateTestKey(kind);
      expect(verifyWithKey(other.compiled, DATA, signer(keys[kind].privateKey, DATA))).toBe(false);
    },
  );

  const malformed: [string, (sig: Buffer) => Buffer][] = [
    ['truncated', (s) => s.subarray(0, s.length - 1)],
    ['half', (s) => s.subarray(0, s.length >> 1)],
    ['empty', () => Buffer.alloc(0)],
    ['garbage of the same length', (s) => Buffer.alloc(s.length, 0x41)],
    ['one flipped bit', (s) => Buffer.from(s.map((b, i) => (i === s.length - 1 ? b ^ 1 : b)))],
    ['over the size limit', () => Buffer.alloc(MAX_SIGNATURE_BYTES + 1, 1)],
  ];
  const valid: [KeyKind, Signer][] = [
    ['p256', ecdsa('sha256')],
    ['p384', ecdsa('sha384')],
    ['p521', ecdsa('sha512')],
    ['rsa2048', rsaPkcs1('sha256')],
    ['ed25519', ed25519Prehash],
  ];
  describe.each(valid)('%s with malformed signatures', (kind, signer) => {
    it.each(malformed)('%s: returns false without throwing', (_name, mangle) => {
      const { privateKey, compiled } = keys[kind];
      expect(verifyWithKey(compiled, DATA, mangle(signer(privateKey, DATA)))).toBe(false);
    });
  });

  it('rejects a signature made by a key of another type', () => {
    const sig = ecdsa('sha256')(keys.p256.privateKey, DATA);
    expect(verifyWithKey(keys.rsa2048.compiled, DATA, sig)).toBe(false);
    expect(verifyWithKey(keys.ed25519.compiled, DATA, sig)).toBe(false);
  });
});
