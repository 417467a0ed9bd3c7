import { sign } from 'node:crypto';
import { findSigningKey, toPreAuthEncoding } from '../../../../src/verifiers/kit/dsse';
import { generateTestKey } from '../keys';

describe('toPreAuthEncoding', () => {
  it.each([
    // The DSSE specification's own test vector.
    [
      'http://example.com/HelloWorld',
      'hello world',
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    ],
    ['application/vnd.in-toto+json', '{}', 'DSSEv1 28 application/vnd.in-toto+json 2 {}'],
    ['', '', 'DSSEv1 0  0 '],
    // Lengths count UTF-8 bytes, not characters: "é" is two bytes.
    ['t/é', 'ü', 'DSSEv1 4 t/é 2 ü'],
  ])('PAE(%j, %j)', (type, body, expected) => {
    expect(toPreAuthEncoding(type, Buffer.from(body, 'utf8')).toString('utf8')).toBe(expected);
  });
});

describe('findSigningKey', () => {
  const signer = generateTestKey('p256');
  const other = generateTestKey('p384');
  const data = toPreAuthEncoding('application/vnd.in-toto+json', Buffer.from('{"a":1}'));
  const sig = sign('sha256', data, signer.privateKey);

  it.each([
    ['the only key', [signer], signer.compiled.id],
    ['the second of two keys', [other, signer], signer.compiled.id],
    ['no matching key', [other], undefined],
    ['no keys at all', [], undefined],
  ])('%s', (_name, pairs, expected) => {
    const keys = pairs.map((p) => p.compiled);
    expect(findSigningKey(keys, data, sig)?.id).toBe(expected);
  });
});
