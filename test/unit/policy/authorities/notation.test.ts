// Compiling `notation` authorities: certificates and identities parsed once, errors with field paths.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compilePolicy } from '../../../../src/policy/compile/compile';
import type { CompiledNotationAuthority } from '../../../../src/policy/compile/compiled.types';
import { PolicyError } from '../../../../src/policy/errors';
import { parseDistinguishedName, parseTrustedIdentity } from '../../../../src/policy/authorities/notation';
import { NOTATION_DIR } from '../../verifiers/notation/fixtures';
import { clusterPolicy, secretsOf } from '../helpers';

const ROOT_PEM = readFileSync(
  path.join(
    NOTATION_DIR,
    'notation-go/verifier/testdata/truststore/x509/ca/valid-trust-store/NotationTestRoot.pem',
  ),
  'utf8',
);
const TSA_DER = readFileSync(
  path.join(
    NOTATION_DIR,
    'notation-go/verifier/testdata/truststore/x509/tsa/test-timestamp/globalsignRoot.cer',
  ),
);

// policyWith builds a policy whose only authority is this notation spec.
function policyWith(notation: Record<string, unknown>): Record<string, unknown> {
  return clusterPolicy({ authorities: [{ name: 'notation', notation }] });
}

// compileError expects compilePolicy to throw and returns the error.
function compileError(obj: unknown): PolicyError {
  try {
    compilePolicy(obj, { secrets: secretsOf() });
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected a PolicyError');
}

describe('notation authorities', () => {
  it('compiles trust stores, identities, level and revocation behaviour once', () => {
    const tsaPem = `-----BEGIN CERTIFICATE-----\n${TSA_DER.toString('base64')}\n-----END CERTIFICATE-----`;
    const policy = compilePolicy(
      policyWith({
        trustStore: { ca: [ROOT_PEM], tsa: [Buffer.from(tsaPem).toString('base64')] },
        trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary, CN=Notation Test Root'],
        verificationLevel: 'permissive',
        revocation: { onUnreachable: 'warn' },
      }),
      { secrets: secretsOf() },
    );
    const a = policy.authorities[0] as CompiledNotationAuthority;
    expect(a).toMatchObject({
      kind: 'notation',
      name: 'notation',
      verificationLevel: 'permissive',
      verifyTimestamp: 'always',
      revocationUnreachable: 'warn',
      trustedIdentities: [
        {
          attributes: [
            { type: 'C', value: 'US' },
            { type: 'ST', value: 'WA' },
            { type: 'O', value: 'Notary' },
            { type: 'CN', value: 'Notation Test Root' },
          ],
        },
      ],
    });
    expect(a.trustStore.ca.map((c) => c.x509.subject)).toEqual([
      expect.stringContaining('CN=Notation Test Root'),
    ]);
    expect(a.trustStore.tsa).toHaveLength(1);
    expect(a.trustStore.signingAuthority).toEqual([]);
  });

  it('defaults to strict, deny on unreachable CRLs, and "*" to any identity', () => {
    const policy = compilePolicy(policyWith({ trustStore: { ca: [ROOT_PEM] }, trustedIdentities: ['*'] }), {
      secrets: secretsOf(),
    });
    expect(policy.authorities[0]).toMatchObject({
      verificationLevel: 'strict',
      revocationUnreachable: 'deny',
      trustedIdentities: 'any',
    });
  });

  it('changes the cache key when a trust-store certificate changes', () => {
    const a = compilePolicy(policyWith({ trustStore: { ca: [ROOT_PEM] }, trustedIdentities: ['*'] }), {
      secrets: secretsOf(),
    });
    const b = compilePolicy(
      policyWith({ trustStore: { ca: [ROOT_PEM, ROOT_PEM] }, trustedIdentities: ['*'] }),
      { secrets: secretsOf() },
    );
    expect(a.cacheKey).not.toBe(b.cacheKey);
  });

  it.each([
    [
      'a bad PEM',
      { trustStore: { ca: ['not a cert'] }, trustedIdentities: ['*'] },
      'spec.authorities[0].notation.trustStore.ca[0]',
      'POLICY_KEY_INVALID',
      /not a PEM certificate/,
    ],
    [
      'a private key',
      {
        trustStore: { ca: ['-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----'] },
        trustedIdentities: ['*'],
      },
      'spec.authorities[0].notation.trustStore.ca[0]',
      'POLICY_KEY_INVALID',
      /private key/,
    ],
    [
      'a damaged certificate',
      {
        trustStore: { tsa: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'], ca: [ROOT_PEM] },
        trustedIdentities: ['*'],
      },
      'spec.authorities[0].notation.trustStore.tsa[0]',
      'POLICY_KEY_INVALID',
      /does not decode/,
    ],
    [
      'a public key instead of a certificate',
      {
        trustStore: { ca: ['-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----'] },
        trustedIdentities: ['*'],
      },
      'spec.authorities[0].notation.trustStore.ca[0]',
      'POLICY_KEY_INVALID',
      /expected a CERTIFICATE block/,
    ],
    [
      'no ca nor signingAuthority',
      { trustStore: { tsa: [ROOT_PEM] }, trustedIdentities: ['*'] },
      'spec.authorities[0].notation.trustStore',
      'POLICY_FIELD_REQUIRED',
      /needs ca/,
    ],
    [
      'an identity without ST',
      { trustStore: { ca: [ROOT_PEM] }, trustedIdentities: ['x509.subject: C=US, O=Notary'] },
      'spec.authorities[0].notation.trustedIdentities[0]',
      'POLICY_FIELD_VALUE',
      /lacks ST/,
    ],
    [
      'an identity without prefix',
      { trustStore: { ca: [ROOT_PEM] }, trustedIdentities: ['C=US, ST=WA, O=Notary'] },
      'spec.authorities[0].notation.trustedIdentities[0]',
      'POLICY_FIELD_VALUE',
      /must be "\*" or start with "x509.subject:"/,
    ],
    [
      'a repeated attribute',
      { trustStore: { ca: [ROOT_PEM] }, trustedIdentities: ['x509.subject: C=US, ST=WA, O=A, O=B'] },
      'spec.authorities[0].notation.trustedIdentities[0]',
      'POLICY_FIELD_VALUE',
      /repeats the attribute O/,
    ],
    [
      '"*" with other identities',
      { trustStore: { ca: [ROOT_PEM] }, trustedIdentities: ['*', 'x509.subject: C=US, ST=WA, O=A'] },
      'spec.authorities[0].notation.trustedIdentities',
      'POLICY_FIELD_VALUE',
      /must be the only/,
    ],
  ])('rejects %s with a field path', (_what, notation, field, code, message) => {
    const error = compileError(policyWith(notation));
    expect(error.fieldErrors).toEqual([
      expect.objectContaining({ path: field, code, message: expect.stringMatching(message) }),
    ]);
  });
});

describe('distinguished names', () => {
  it.each([
    [
      'C=US, ST=WA, O=Example',
      [
        ['C', 'US'],
        ['ST', 'WA'],
        ['O', 'Example'],
      ],
    ],
    [
      'CN=a\\, b+O=x;L=y',
      [
        ['CN', 'a, b'],
        ['O', 'x'],
        ['L', 'y'],
      ],
    ],
    [
      'cn = spaced  , 2.5.4.6=US',
      [
        ['CN', 'spaced'],
        ['2.5.4.6', 'US'],
      ],
    ],
    ['CN=\\41\\42', [['CN', 'AB']]],
  ])('parses %s', (dn, pairs) => {
    expect(parseDistinguishedName(dn)).toEqual(pairs.map(([type, value]) => ({ type, value })));
  });

  it.each([
    ['', /empty/],
    ['CN', /not TYPE=value/],
    ['C=', /empty value/],
    ['1x=y', /not an attribute type/],
  ])('rejects %j', (dn, message) => {
    expect(parseDistinguishedName(dn)).toMatch(message);
  });

  it('keeps the identity text for messages', () => {
    expect(parseTrustedIdentity('x509.subject: C=US, ST=WA, O=Example')).toMatchObject({
      text: 'C=US, ST=WA, O=Example',
    });
  });
});
