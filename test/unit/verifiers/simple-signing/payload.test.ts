// The atomic container signature payload parser: what skopeo writes parses; every deviation from the exact
// field sets of containers-signature(5) is VERIFY_PAYLOAD_INVALID.
import { VerifyError } from '../../../../src/verifiers/errors';
import { parseSimpleSigningPayload } from '../../../../src/verifiers/simple-signing/payload';

const DIGEST = 'sha256:5769809daa7d6b7c91b98fad0af0d261ad17f32c62d028a26b806ffb60691d0c';
// As skopeo 1.9 wrote it (key order and all).
const SKOPEO = `{"critical":{"identity":{"docker-reference":"127.0.0.1:33515/team/app:v1"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"atomic container signature"},"optional":{"creator":"atomic 5.23.1","timestamp":1796526782}}`;

/** The parsed payload, loosely typed so that tests can break any field. */
interface Loose {
  critical: {
    type: unknown;
    image: Record<string, unknown>;
    identity?: Record<string, unknown>;
    [k: string]: unknown;
  };
  optional?: Record<string, unknown>;
  [k: string]: unknown;
}

// payload builds a payload object from skopeo's, with `change` applied to a deep copy.
function payload(change: (p: Loose) => void): Uint8Array {
  const p = JSON.parse(SKOPEO) as Loose;
  change(p);
  return Buffer.from(JSON.stringify(p));
}

test('parses what skopeo signs', () => {
  expect(parseSimpleSigningPayload(Buffer.from(SKOPEO))).toEqual({
    dockerManifestDigest: DIGEST,
    dockerReference: '127.0.0.1:33515/team/app:v1',
    creator: 'atomic 5.23.1',
    timestamp: 1796526782,
  });
});

test('repeated keys in different objects, and braces inside strings, are not duplicates', () => {
  const text = SKOPEO.replace(
    '"creator":"atomic 5.23.1"',
    '"creator":"{\\"type\\":[1,{\\"a\\":2}]}","x":{"type":1}',
  );
  expect(parseSimpleSigningPayload(Buffer.from(text)).creator).toBe('{"type":[1,{"a":2}]}');
});

test('optional may be empty and may carry unknown fields', () => {
  const parsed = parseSimpleSigningPayload(payload((p) => (p.optional = { other: [1] })));
  expect(parsed).toEqual({ dockerManifestDigest: DIGEST, dockerReference: '127.0.0.1:33515/team/app:v1' });
});

test.each<[string, Uint8Array, RegExp]>([
  ['not JSON', Buffer.from('{"critical":'), /not UTF-8 JSON/],
  ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), /not UTF-8 JSON/],
  ['an array', Buffer.from('[]'), /the payload is not an object/],
  ['no optional', payload((p) => delete p.optional), /lacks optional/],
  ['an extra top-level field', payload((p) => (p.extra = 1)), /unknown field/],
  [
    'a cosign payload type',
    payload((p) => (p.critical.type = 'cosign container image signature')),
    /critical.type/,
  ],
  ['an extra critical field', payload((p) => (p.critical.annotations = {})), /critical has unknown/],
  ['no identity', payload((p) => delete p.critical.identity), /lacks identity/],
  [
    'a bad digest',
    payload((p) => (p.critical.image['docker-manifest-digest'] = 'sha256:abc')),
    /not a digest/,
  ],
  [
    'an upper-case digest',
    payload((p) => (p.critical.image['docker-manifest-digest'] = DIGEST.toUpperCase())),
    /not a digest/,
  ],
  ['an extra image field', payload((p) => (p.critical.image.size = 1)), /critical.image has unknown/],
  ['a numeric reference', payload((p) => (p.critical.identity = { 'docker-reference': 1 })), /not a string/],
  ['a fractional timestamp', payload((p) => (p.optional = { ...p.optional, timestamp: 1.5 })), /timestamp/],
  [
    'a repeated critical key',
    Buffer.from(SKOPEO.replace('"type":', '"type":"other","type":')),
    /repeats the key "type"/,
  ],
  [
    'a repeated escaped key',
    Buffer.from(SKOPEO.replace('{"critical":', '{"optional":{},"\\u006fptional":{},"critical":')),
    /repeats the key "optional"/,
  ],
  ['a numeric creator', payload((p) => (p.optional = { ...p.optional, creator: 5 })), /creator/],
])('refuses %s', (_what, bytes, message) => {
  let error: unknown;
  try {
    parseSimpleSigningPayload(bytes);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(VerifyError);
  expect(error).toMatchObject({ code: 'VERIFY_PAYLOAD_INVALID', message: expect.stringMatching(message) });
});
