// checkEnvelope on envelopes built with a real openssl PKI: each integrity rule broken alone, in JWS and COSE,
// malformed CBOR, looping chains, and the verification levels.
import { createHash } from 'node:crypto';
import type { NotationAuthority } from '../../../../src/policy/crd/crd.types';
import { checkEnvelope } from '../../../../src/verifiers/notation/check-envelope';
import type { EnvelopeOutcome, RevocationStatus } from '../../../../src/verifiers/notation/outcome.types';
import { buildCose, buildJws, type EnvelopeSpec } from './envelope-builder';
import { compileAuthority, revocationAnswering } from './fixtures';
import { makePki, type TestPki } from './pki';

const target = {
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${createHash('sha256').update('image').digest('hex')}`,
  size: 1234,
};
let pki: TestPki;

beforeAll(() => {
  pki = makePki();
});

// spec is a valid ES256 notary.x509 envelope for `target`, with overrides.
function spec(over: Partial<EnvelopeSpec> = {}): EnvelopeSpec {
  return { key: pki.leafKey, chain: [pki.leafDer, pki.rootDer], target, ...over };
}

// check runs checkEnvelope with an authority trusting the test root.
function check(
  envelope: Buffer,
  mediaType: string,
  over: Partial<NotationAuthority> = {},
  revocation: RevocationStatus = { status: 'good' },
): Promise<EnvelopeOutcome> {
  return checkEnvelope({
    envelope,
    mediaType,
    target,
    authority: compileAuthority({ trustStore: { ca: [pki.rootPem] }, trustedIdentities: ['*'], ...over }),
    now: new Date(),
    deadline: Date.now() + 5000,
    revocation: revocationAnswering(revocation),
    where: 'signature under test',
  });
}

const JWS = 'application/jose+json';
const COSE = 'application/cose';
const FORMATS = [
  ['jws', JWS, buildJws],
  ['cose', COSE, buildCose],
] as const;
const hourAgo = (): Date => new Date(Date.now() - 3_600_000);

describe.each(FORMATS)('%s envelopes', (_name, mediaType, build) => {
  it('accepts a valid envelope, naming the format, algorithm and signer', async () => {
    const outcome = await check(build(spec()), mediaType);
    expect(outcome).toMatchObject({ ok: true, warnings: [] });
    expect(outcome.ok && outcome.summary).toMatch(
      /ES256 signature .* by "C=US, ST=WA, L=Seattle, O=Test, OU=Release, CN=Leaf"/,
    );
  });

  it.each([
    [
      'an unknown critical header',
      {
        headers: {
          'x.custom': 'v',
          crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry', 'x.custom'],
        },
      },
      'VERIFY_ENVELOPE_INVALID',
      /unknown critical header "x.custom"/,
    ],
    [
      'crit without expiry',
      { headers: { crit: ['io.cncf.notary.signingScheme'] } },
      'VERIFY_ENVELOPE_INVALID',
      /"io.cncf.notary.expiry" is present but not listed in crit/,
    ],
    [
      'crit naming an absent header',
      { headers: { 'io.cncf.notary.expiry': undefined } },
      'VERIFY_ENVELOPE_INVALID',
      /crit lists "io.cncf.notary.expiry" but the header is absent/,
    ],
    [
      'a verification plugin',
      {
        headers: {
          'io.cncf.notary.verificationPlugin': 'p',
          crit: [
            'io.cncf.notary.signingScheme',
            'io.cncf.notary.expiry',
            'io.cncf.notary.verificationPlugin',
          ],
        },
      },
      'VERIFY_ENVELOPE_INVALID',
      /verification plugin/,
    ],
    [
      'another content type',
      { headers: { cty: 'application/json' } },
      'VERIFY_ENVELOPE_INVALID',
      /content type \(cty\)/,
    ],
    [
      'an unknown signing scheme',
      { headers: { 'io.cncf.notary.signingScheme': 'notary.default.x509' } },
      'VERIFY_ENVELOPE_INVALID',
      /signing scheme "notary.default.x509"/,
    ],
    [
      'no signing time',
      { headers: { 'io.cncf.notary.signingTime': undefined } },
      'VERIFY_ENVELOPE_INVALID',
      /requires the io.cncf.notary.signingTime header/,
    ],
    [
      'an alg that does not match the key',
      { alg: 'ES384' as const },
      'VERIFY_SIGNATURE_INVALID',
      /says ES384, but the signing key is EC P-256 \(ES256\)/,
    ],
    ['a chain in the wrong order', { chain: [] as Buffer[] }, 'VERIFY_ENVELOPE_INVALID', /non-empty/],
    ['a chain that loops', { chainLoop: true }, 'VERIFY_CERT_CHAIN_INVALID', /loops/],
    [
      'a CA as signing certificate',
      { caLeaf: true },
      'VERIFY_CERT_CHAIN_INVALID',
      /is a CA certificate|not issued/,
    ],
  ] as const)('denies %s', async (_what, over, code, reason) => {
    const s = spec(over as Partial<EnvelopeSpec>);
    const chain =
      'chainLoop' in over
        ? [pki.leafDer, pki.rootDer, pki.leafDer]
        : 'caLeaf' in over
          ? [pki.rootDer]
          : s.chain;
    const outcome = await check(build({ ...s, chain }), mediaType);
    expect(outcome).toMatchObject({ ok: false, code });
    expect(!outcome.ok && outcome.reason).toMatch(reason);
  });

  it('denies a signature for another digest', async () => {
    const outcome = await check(
      build(spec({ target: { ...target, digest: `sha256:${'1'.repeat(64)}` } })),
      mediaType,
    );
    expect(outcome).toMatchObject({ ok: false, code: 'VERIFY_DIGEST_MISMATCH', check: 'integrity' });
  });

  it('denies a signature whose size or media type differ from the image', async () => {
    const size = await check(build(spec({ target: { ...target, size: 1 } })), mediaType);
    const type = await check(build(spec({ target: { ...target, mediaType: 'application/x' } })), mediaType);
    expect([size, type]).toMatchObject([
      { ok: false, code: 'VERIFY_DIGEST_MISMATCH' },
      { ok: false, code: 'VERIFY_DIGEST_MISMATCH' },
    ]);
  });

  it('denies a chain that does not reach the trust store, and an identity that does not match', async () => {
    const untrusted = await check(build(spec()), mediaType, { trustStore: { ca: [pki.otherRootPem] } });
    const identity = await check(build(spec()), mediaType, {
      trustedIdentities: ['x509.subject: C=US, ST=WA, O=Test, CN=Other'],
    });
    const subset = await check(build(spec()), mediaType, {
      trustedIdentities: ['x509.subject: C=US, ST=WA, O=Test, OU=Release'],
    });
    expect(untrusted).toMatchObject({ ok: false, code: 'VERIFY_UNTRUSTED_SIGNER', check: 'authenticity' });
    expect(identity).toMatchObject({ ok: false, code: 'VERIFY_IDENTITY_MISMATCH', check: 'authenticity' });
    expect(subset).toMatchObject({ ok: true });
  });

  it('denies the signingAuthority scheme when only a ca store is configured', async () => {
    const headers = {
      'io.cncf.notary.signingScheme': 'notary.x509.signingAuthority',
      'io.cncf.notary.signingTime': undefined,
      'io.cncf.notary.authenticSigningTime': new Date(Math.floor(Date.now() / 1000) * 1000),
      crit: ['io.cncf.notary.signingScheme', 'io.cncf.notary.expiry', 'io.cncf.notary.authenticSigningTime'],
    };
    const onlyCa = await check(build(spec({ headers })), mediaType);
    const sa = await check(build(spec({ headers })), mediaType, {
      trustStore: { signingAuthority: [pki.rootPem] },
    });
    expect(onlyCa).toMatchObject({
      ok: false,
      code: 'VERIFY_UNTRUSTED_SIGNER',
      reason: expect.stringMatching(/trustStore.signingAuthority is empty/),
    });
    expect(sa).toMatchObject({ ok: true });
  });

  it.each([
    ['strict', false, 'VERIFY_SIGNATURE_EXPIRED'],
    ['permissive', true, undefined],
    ['audit', true, undefined],
  ] as const)('an expired signature under %s: admitted %s', async (level, admitted, code) => {
    const headers = {
      'io.cncf.notary.signingTime': new Date(Date.now() - 7_200_000),
      'io.cncf.notary.expiry': hourAgo(),
    };
    const outcome = await check(build(spec({ headers })), mediaType, { verificationLevel: level });
    expect(outcome.ok).toBe(admitted);
    if (outcome.ok)
      expect(outcome.warnings).toEqual([expect.stringMatching(/expiry check failed but verificationLevel/)]);
    else expect(outcome.code).toBe(code);
  });

  it.each([
    ['revoked', 'deny', 'strict', 'VERIFY_CERT_REVOKED'],
    ['unknown', 'deny', 'strict', 'VERIFY_REVOCATION_UNKNOWN'],
    ['unknown', 'warn', 'strict', 'ok'],
    ['revoked', 'deny', 'permissive', 'ok'],
  ] as const)(
    'revocation %s with onUnreachable %s at %s gives %s',
    async (status, onUnreachable, level, expected) => {
      const outcome = await check(
        build(spec()),
        mediaType,
        { verificationLevel: level, revocation: { onUnreachable } },
        { status, reason: 'scripted' },
      );
      if (expected === 'ok')
        expect(outcome).toMatchObject({ ok: true, warnings: [expect.stringMatching(/revocation/)] });
      else expect(outcome).toMatchObject({ ok: false, code: expected, check: 'revocation' });
    },
  );
});

describe('malformed envelopes are denied with a clear reason, never a crash', () => {
  const cose = (hex: string): Buffer => Buffer.from(hex, 'hex');
  it.each([
    ['JWS that is not JSON', JWS, Buffer.from('{"payload":'), /not valid JSON/],
    [
      'JWS general serialization',
      JWS,
      Buffer.from('{"signatures":[],"payload":""}'),
      /general JWS serialization/,
    ],
    [
      'JWS with a non-object header',
      JWS,
      Buffer.from('{"payload":"e30","protected":"e30","signature":"","header":[]}'),
      /crit|algorithm/,
    ],
    [
      'JWS with a bad protected header',
      JWS,
      Buffer.from('{"payload":"e30","protected":"!!","signature":""}'),
      /not unpadded base64url/,
    ],
    [
      'an unknown media type',
      'application/json',
      Buffer.from('{}'),
      /neither application\/jose\+json nor application\/cose/,
    ],
    ['untagged COSE', COSE, cose('8443a10126a0f6f6'), /not a tagged COSE_Sign1/],
    [
      'indefinite-length CBOR',
      COSE,
      cose('d2 9f 43a10126 a0 40 40 ff'.replace(/ /g, '')),
      /indefinite-length/,
    ],
    [
      'a duplicate map key',
      COSE,
      cose('d284 43a10126 a2 01 01 01 02 40 40'.replace(/ /g, '')),
      /duplicate key/,
    ],
    [
      'a byte string longer than the envelope',
      COSE,
      cose('d2 84 5a7fffffff'.replace(/ /g, '')),
      /ends early/,
    ],
    ['deep nesting', COSE, cose(`d2${'81'.repeat(64)}00`), /deeper than/],
    ['trailing bytes', COSE, cose('d28443a10126a0404000'), /trailing bytes/],
    [
      'reserved additional information',
      COSE,
      cose('d2 84 1c'.replace(/ /g, '')),
      /reserved additional information/,
    ],
    ['an empty envelope', COSE, Buffer.alloc(0), /ends early/],
  ] as const)('%s', async (_what, mediaType, bytes, reason) => {
    const outcome = await check(bytes, mediaType);
    expect(outcome).toMatchObject({ ok: false, code: 'VERIFY_ENVELOPE_INVALID', check: 'format' });
    expect(!outcome.ok && outcome.reason).toMatch(reason);
  });
});
