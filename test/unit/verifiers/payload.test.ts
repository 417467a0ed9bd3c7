import { checkSignStatement, checkSimpleSigningPayload } from '../../../src/verifiers/cosign/payload';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER = `sha256:${'b'.repeat(64)}`;

// simpleSigning builds a cosign v2 payload.
function simpleSigning(digest: string, type = 'cosign container image signature'): string {
  return JSON.stringify({
    critical: {
      identity: { 'docker-reference': 'example.com/other/repo' },
      image: { 'docker-manifest-digest': digest },
      type,
    },
    optional: null,
  });
}

// statement builds a cosign v3 in-toto statement.
function statement(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ digest: { sha256: 'a'.repeat(64) } }],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
    ...overrides,
  });
}

describe('checkSimpleSigningPayload', () => {
  it.each([
    ['matching digest (docker-reference of another repo is not compared)', simpleSigning(DIGEST), 'ok'],
    ['another digest', simpleSigning(OTHER), 'digest'],
    ['wrong critical.type', simpleSigning(DIGEST, 'atomic container signature'), 'payload'],
    [
      'no digest',
      JSON.stringify({ critical: { type: 'cosign container image signature', image: {} } }),
      'payload',
    ],
    ['digest not a string', simpleSigning(DIGEST).replace(`"${DIGEST}"`, '42'), 'payload'],
    ['no critical', '{"optional":{}}', 'payload'],
    ['JSON array', '[]', 'payload'],
    ['not JSON', 'not json', 'payload'],
    ['empty', '', 'payload'],
  ])('%s', (_name, payload, expected) => {
    const check = checkSimpleSigningPayload(Buffer.from(payload), DIGEST);
    expect(check.ok ? 'ok' : check.kind).toBe(expected);
  });

  it('names both digests on a mismatch', () => {
    const check = checkSimpleSigningPayload(Buffer.from(simpleSigning(OTHER)), DIGEST);
    expect(check).toEqual({ ok: false, kind: 'digest', reason: `signature is for ${OTHER} not ${DIGEST}` });
  });
});

describe('checkSignStatement', () => {
  it.each([
    ['cosign v3 signature', statement(), 'ok'],
    ['Statement v0.1', statement({ _type: 'https://in-toto.io/Statement/v0.1' }), 'ok'],
    ['upper-case hex subject', statement({ subject: [{ digest: { sha256: 'A'.repeat(64) } }] }), 'ok'],
    [
      'second subject matches',
      statement({
        subject: [{ digest: { sha256: 'b'.repeat(64) } }, { digest: { sha256: 'a'.repeat(64) } }],
      }),
      'ok',
    ],
    ['attestation predicate', statement({ predicateType: 'https://slsa.dev/provenance/v1' }), 'predicate'],
    [
      'cosign custom attestation',
      statement({ predicateType: 'https://cosign.sigstore.dev/attestation/v1' }),
      'predicate',
    ],
    [
      'predicateType with a suffix',
      statement({ predicateType: 'https://sigstore.dev/cosign/sign/v1/' }),
      'predicate',
    ],
    ['no predicateType', statement({ predicateType: undefined }), 'predicate'],
    ['another subject', statement({ subject: [{ digest: { sha256: 'b'.repeat(64) } }] }), 'digest'],
    ['subject without sha256', statement({ subject: [{ digest: { sha512: 'a'.repeat(128) } }] }), 'payload'],
    ['no subject', statement({ subject: undefined }), 'payload'],
    ['unknown _type', statement({ _type: 'https://example.com/Statement' }), 'payload'],
    ['not an object', '"x"', 'payload'],
    ['not JSON', '{', 'payload'],
  ])('%s', (_name, payload, expected) => {
    const check = checkSignStatement(Buffer.from(payload), DIGEST);
    expect(check.ok ? 'ok' : check.kind).toBe(expected);
  });
});
