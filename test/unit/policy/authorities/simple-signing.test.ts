// Compiling simpleSigning authorities: armored keys (inline or from Secrets) fingerprinted at compile time the
// way OpenPGP computes it, signedIdentity fields checked per type, and the lookaside URL held to http(s).
import { generateKey } from 'openpgp';
import { compilePolicy } from '../../../../src/policy/compile/compile';
import type { CompiledSimpleSigningAuthority } from '../../../../src/policy/compile/compiled.types';
import { PolicyError } from '../../../../src/policy/errors';
import { clusterPolicy, namespacedPolicy, secretsOf } from '../helpers';

let publicArmored: string;
let privateArmored: string;
let fingerprint: string;
let otherArmored: string;

beforeAll(async () => {
  const a = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Release' }],
    format: 'armored',
  });
  const b = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name: 'Other' }],
    format: 'armored',
  });
  publicArmored = a.publicKey;
  privateArmored = a.privateKey;
  otherArmored = b.publicKey;
  const { readKey } = await import('openpgp');
  fingerprint = (await readKey({ armoredKey: publicArmored })).getFingerprint().toUpperCase();
});

// authority builds a valid simpleSigning authority with fields overridden.
function simple(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'gpg',
    simpleSigning: { keys: [{ data: publicArmored }], lookaside: 'https://sigs.example.com/s/', ...over },
  };
}

// compileError returns the field errors of a policy that must not compile.
function compileError(
  policy: unknown,
  secrets = secretsOf(),
): { path: string; code: string; message: string }[] {
  try {
    compilePolicy(policy, { secrets });
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return [...(error as PolicyError).fieldErrors];
  }
  throw new Error('the policy compiled');
}

test('compiles: fingerprints as OpenPGP computes them, default identity, lookaside without trailing slash', () => {
  const compiled = compilePolicy(clusterPolicy({ authorities: [simple()] }), { secrets: secretsOf() });
  const a = compiled.authorities[0] as CompiledSimpleSigningAuthority;
  expect(a).toMatchObject({
    kind: 'simpleSigning',
    referenceBound: true, // its verdict holds for the reference it was reached through only
    keys: [{ fingerprint }],
    signedIdentity: { type: 'matchRepoDigestOrExact' },
    lookaside: 'https://sigs.example.com/s',
  });
  expect(a.keyring.length).toBeGreaterThan(0);
});

test('reads keys from a Secret, and two keys in one entry', () => {
  const secrets = secretsOf({ 'portcullis/gpg': { 'keys.asc': `${publicArmored}\n${otherArmored}` } });
  const policy = clusterPolicy({
    authorities: [
      simple({ keys: [{ secretRef: { name: 'gpg', namespace: 'portcullis', key: 'keys.asc' } }] }),
    ],
  });
  const a = compilePolicy(policy, { secrets }).authorities[0] as CompiledSimpleSigningAuthority;
  expect(a.keys).toHaveLength(2);
  expect(a.keys[0]?.fingerprint).toBe(fingerprint);
});

test('normalises exactReference and exactRepository', () => {
  const policy = clusterPolicy({
    authorities: [
      simple({ signedIdentity: { type: 'exactReference', dockerReference: 'busybox:1.36' } }),
      {
        ...simple({ signedIdentity: { type: 'exactRepository', dockerRepository: 'busybox' } }),
        name: 'repo',
      },
    ],
  });
  const [a, b] = compilePolicy(policy, { secrets: secretsOf() })
    .authorities as CompiledSimpleSigningAuthority[];
  expect(a?.signedIdentity).toEqual({
    type: 'exactReference',
    dockerReference: 'docker.io/library/busybox:1.36',
  });
  expect(b?.signedIdentity).toEqual({
    type: 'exactRepository',
    dockerRepository: 'docker.io/library/busybox',
  });
});

test.each<[string, () => Record<string, unknown>, string, string, RegExp]>([
  [
    'a secret key',
    () => simple({ keys: [{ data: privateArmored }] }),
    'keys[0].data',
    'POLICY_KEY_INVALID',
    /PRIVATE KEY BLOCK/,
  ],
  [
    'no armor',
    () => simple({ keys: [{ data: 'not a key' }] }),
    'keys[0].data',
    'POLICY_KEY_INVALID',
    /BEGIN PGP PUBLIC KEY BLOCK/,
  ],
  [
    'a corrupted key',
    () =>
      simple({
        keys: [
          {
            data: publicArmored.replace(
              /\n([A-Za-z0-9+/]{10})/,
              (_m, s: string) => `\n${s.split('').reverse().join('')}`,
            ),
          },
        ],
      }),
    'keys[0].data',
    'POLICY_KEY_INVALID',
    /CRC-24|truncated|packet/,
  ],
  [
    'both data and secretRef',
    () => simple({ keys: [{ data: publicArmored, secretRef: { name: 'g', namespace: 'p', key: 'k' } }] }),
    'keys[0]',
    'POLICY_FIELD_VALUE',
    /exactly one/,
  ],
  [
    'a file:// lookaside',
    () => simple({ lookaside: 'file:///var/lib/containers/sigstore' }),
    'lookaside',
    'POLICY_FIELD_VALUE',
    /file:/,
  ],
  [
    'plain http off loopback',
    () => simple({ lookaside: 'http://sigs.example.com' }),
    'lookaside',
    'POLICY_FIELD_VALUE',
    /loopback/,
  ],
  [
    'credentials in the URL',
    () => simple({ lookaside: 'https://u:p@sigs.example.com' }),
    'lookaside',
    'POLICY_FIELD_VALUE',
    /credentials/,
  ],
  [
    'exactReference without a reference',
    () => simple({ signedIdentity: { type: 'exactReference' } }),
    'signedIdentity.dockerReference',
    'POLICY_FIELD_REQUIRED',
    /needs dockerReference/,
  ],
  [
    'exactReference with a name only',
    () => simple({ signedIdentity: { type: 'exactReference', dockerReference: 'busybox' } }),
    'signedIdentity.dockerReference',
    'POLICY_FIELD_VALUE',
    /tag or digest/,
  ],
  [
    'a field of another type',
    () => simple({ signedIdentity: { type: 'matchExact', prefix: 'quay.io' } }),
    'signedIdentity.prefix',
    'POLICY_FIELD_NOT_ALLOWED',
    /does not apply/,
  ],
  [
    'remapIdentity without signedPrefix',
    () => simple({ signedIdentity: { type: 'remapIdentity', prefix: 'quay.io' } }),
    'signedIdentity.signedPrefix',
    'POLICY_FIELD_REQUIRED',
    /needs signedPrefix/,
  ],
  [
    'a remap prefix with a tag',
    () => simple({ signedIdentity: { type: 'remapIdentity', prefix: 'quay.io/a:v1', signedPrefix: 'x.io' } }),
    'signedIdentity.prefix',
    'POLICY_FIELD_VALUE',
    /prefix/,
  ],
  [
    'an unknown keyType',
    () => simple({ keyType: 'X509Certificates' }),
    'keyType',
    'POLICY_FIELD_VALUE',
    /GPGKeys/,
  ],
])('refuses %s', (_what, authority, field, code, message) => {
  const errors = compileError(clusterPolicy({ authorities: [authority()] }));
  expect(errors).toContainEqual({
    path: `spec.authorities[0].simpleSigning.${field}`,
    code,
    message: expect.stringMatching(message),
  });
});

test("an ImagePolicy may not read another namespace's Secret", () => {
  const authority = simple({ keys: [{ secretRef: { name: 'gpg', namespace: 'other', key: 'k' } }] });
  const errors = compileError(namespacedPolicy({ authorities: [authority] }));
  expect(errors).toContainEqual(
    expect.objectContaining({
      path: 'spec.authorities[0].simpleSigning.keys[0].secretRef.namespace',
      code: 'POLICY_FIELD_NOT_ALLOWED',
    }),
  );
});

test('a missing Secret names the field', () => {
  const authority = simple({ keys: [{ secretRef: { name: 'gpg', namespace: 'portcullis', key: 'k' } }] });
  const errors = compileError(clusterPolicy({ authorities: [authority] }));
  expect(errors).toContainEqual(
    expect.objectContaining({
      path: 'spec.authorities[0].simpleSigning.keys[0].secretRef',
      code: 'POLICY_SECRET_NOT_FOUND',
    }),
  );
});
