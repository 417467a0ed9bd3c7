// Canonical JSON vectors, TUF key ids and each signature method, as Notary produces them.
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CanonicalJsonError, toCanonicalJson } from '../../../../src/verifiers/notary-v1/canonical-json';
import { parseTufKey, TufKeyError } from '../../../../src/verifiers/notary-v1/keys';
import { checkTufSignature } from '../../../../src/verifiers/notary-v1/signatures';
import { NOTARY_DIR } from './fixtures';
import { makeSigner, signBytes } from './tuf-builder';

describe('toCanonicalJson', () => {
  test.each<[string, unknown, string]>([
    ['sorted keys, no whitespace', { b: 1, a: [true, null, false] }, '{"a":[true,null,false],"b":1}'],
    [
      'only \\ and " escaped; control characters and non-ASCII as is',
      { s: 'x"y\\z\n\t<é>' },
      '{"s":"x\\"y\\\\z\n\t<é>"}',
    ],
    [
      'keys in UTF-8 byte order, not UTF-16 order',
      { '\u{1F600}': 1, '\uFFFF': 2, z: 3 },
      '{"z":3,"\uFFFF":2,"\u{1F600}":1}',
    ],
    ['negative zero is 0', { n: -0, m: -5 }, '{"m":-5,"n":0}'],
    ['nested', { o: { d: { c: [] }, a: {} } }, '{"o":{"a":{},"d":{"c":[]}}}'],
  ])('%s', (_name, value, expected) => {
    expect(toCanonicalJson(value).toString('utf8')).toBe(expected);
  });

  test.each<[string, unknown]>([
    ['a float', { n: 1.5 }],
    ['an unsafe integer', { n: 2 ** 60 }],
    ['a non-JSON value', { f: () => 1 }],
    ['nesting past the limit', JSON.parse('['.repeat(40) + ']'.repeat(40)) as unknown],
  ])('refuses %s', (_name, value) => {
    expect(() => toCanonicalJson(value)).toThrow(CanonicalJsonError);
  });

  test('reproduces the bytes Notary signed (a real root.json signature verifies over them)', () => {
    const doc = JSON.parse(
      readFileSync(path.join(NOTARY_DIR, 'notary/notary0.1/metadata/root.json'), 'utf8'),
    ) as {
      signed: { keys: Record<string, unknown> };
      signatures: { keyid: string; method: string; sig: string }[];
    };
    const sig = doc.signatures[0];
    if (sig === undefined) throw new Error('fixture has no signature');
    const key = parseTufKey(doc.signed.keys[sig.keyid]);
    const data = toCanonicalJson(doc.signed);
    expect(checkTufSignature(key, sig.method, data, Buffer.from(sig.sig, 'base64'))).toBe('ok');
    expect(
      checkTufSignature(
        key,
        sig.method,
        Buffer.concat([data, Buffer.from(' ')]),
        Buffer.from(sig.sig, 'base64'),
      ),
    ).toBe('invalid');
  });
});

describe('parseTufKey', () => {
  test('computes the key ids Notary gave every key of real metadata (ecdsa, ecdsa-x509, rsa-x509)', () => {
    const files = [
      'connaisseur/trust_data/never-expire-image/root.json',
      'notary/notary0.1/metadata/root.json',
    ];
    const seen = new Set<string>();
    for (const f of files) {
      const keys = (
        JSON.parse(readFileSync(path.join(NOTARY_DIR, f), 'utf8')) as {
          signed: { keys: Record<string, unknown> };
        }
      ).signed.keys;
      for (const [id, raw] of Object.entries(keys)) {
        const key = parseTufKey(raw);
        expect(key.id).toBe(id);
        seen.add(key.type);
      }
    }
    const delegations = JSON.parse(
      readFileSync(path.join(NOTARY_DIR, 'notary/notary0.3/metadata/targets.json'), 'utf8'),
    ) as {
      signed: { delegations: { keys: Record<string, unknown> } };
    };
    for (const [id, raw] of Object.entries(delegations.signed.delegations.keys)) {
      const key = parseTufKey(raw);
      expect(key.id).toBe(id);
      seen.add(key.type);
    }
    expect([...seen].sort()).toEqual(['ecdsa', 'ecdsa-x509', 'rsa-x509']);
  });

  test.each(['ecdsa', 'rsapss', 'eddsa'] as const)('computes the id of a generated %s key', (kind) => {
    const s = makeSigner(kind);
    expect(parseTufKey(s.json).id).toBe(s.id);
  });

  test.each<[string, unknown, RegExp]>([
    ['an unknown key type', { keytype: 'rsa-pss-sha9', keyval: { public: 'AAAA' } }, /not supported/],
    ['a missing public key', { keytype: 'ecdsa', keyval: {} }, /no usable keyval\.public/],
    ['garbage DER', { keytype: 'ecdsa', keyval: { public: 'AAAA' } }, /does not decode/],
    ['a short ed25519 key', { keytype: 'ed25519', keyval: { public: 'AAAA' } }, /not 32 bytes/],
    [
      'an ecdsa type holding an RSA key',
      { keytype: 'ecdsa', keyval: makeSigner('rsapss').json.keyval },
      /holds a rsa public key/,
    ],
    ['not an object', 'ecdsa', /not supported/],
  ])('refuses %s', (_name, raw, pattern) => {
    expect(() => parseTufKey(raw)).toThrow(TufKeyError);
    expect(() => parseTufKey(raw)).toThrow(pattern);
  });
});

describe('checkTufSignature', () => {
  const data = Buffer.from('{"_type":"Targets"}');
  test.each(['ecdsa', 'rsapss', 'rsapkcs1v15', 'eddsa'] as const)(
    '%s: verifies, and refuses tampered data',
    (method) => {
      const s = makeSigner(method);
      const key = parseTufKey(s.json);
      const sig = signBytes(s, data);
      expect(checkTufSignature(key, method, data, sig)).toBe('ok');
      expect(checkTufSignature(key, method, Buffer.from('{"_type":"Root"}'), sig)).toBe('invalid');
    },
  );

  test('ecdsa is raw r‖s: a DER signature does not verify', () => {
    const s = makeSigner('ecdsa');
    const der = sign('sha256', data, s.privateKey);
    expect(checkTufSignature(parseTufKey(s.json), 'ecdsa', data, der)).toBe('invalid');
  });

  test('rsapss uses a 32-byte salt: a salt of 20 does not verify', () => {
    const s = makeSigner('rsapss');
    const sig = sign('sha256', data, {
      key: s.privateKey,
      padding: 6,
      saltLength: 20,
    }) as Buffer;
    expect(checkTufSignature(parseTufKey(s.json), 'rsapss', data, sig)).toBe('invalid');
  });

  test.each<[string, string, string]>([
    ['an unknown method', 'rsassa-pss-sha256', 'unsupported-method'],
    ['a method that does not fit the key', 'eddsa', 'method-key-mismatch'],
  ])('refuses %s', (_name, method, outcome) => {
    const s = makeSigner('ecdsa');
    expect(checkTufSignature(parseTufKey(s.json), method, data, signBytes(s, data))).toBe(outcome);
  });

  test('refuses empty and oversized signatures', () => {
    const key = parseTufKey(makeSigner('eddsa').json);
    expect(checkTufSignature(key, 'eddsa', data, Buffer.alloc(0))).toBe('invalid');
    expect(checkTufSignature(key, 'eddsa', data, Buffer.alloc(4096))).toBe('invalid');
  });
});
