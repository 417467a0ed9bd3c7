import { generateKeyPairSync } from 'node:crypto';
import { compilePolicy } from '../../../../src/policy/compile/compile';
import type { CompiledOciVaultAuthority } from '../../../../src/policy/compile/compiled.types';
import { PolicyError } from '../../../../src/policy/errors';

const apiKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaPem = apiKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const SECRET = {
  tenancy: 'ocid1.tenancy.oc1..aaaatenancy',
  user: 'ocid1.user.oc1..aaaauser',
  fingerprint: '12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0',
  privatekey: apiKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const KEY = 'ocid1.key.oc1.ap-tokyo-1.vault.aaaakey';

// policy builds a ClusterImagePolicy with one ociVault authority, overriding fields of a valid one.
function policy(ociVault: Record<string, unknown>): unknown {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'ClusterImagePolicy',
    metadata: { name: 'oke' },
    spec: {
      images: [{ glob: '*.ocir.io/**' }],
      authorities: [
        {
          name: 'oke',
          ociVault: {
            region: 'ap-tokyo-1',
            compartmentId: 'ocid1.compartment.oc1..aaaacompartment',
            keys: [{ keyId: KEY }],
            auth: { secretRef: { name: 'oci', namespace: 'portcullis' } },
            ...ociVault,
          },
        },
      ],
    },
  };
}

const secrets = (data: Record<string, string> | undefined) => ({ get: () => data });

describe('ociVault authorities', () => {
  test('compile: API key from the Secret, pinned RSA key parsed once, endpoints trimmed', () => {
    const compiled = compilePolicy(
      policy({
        keys: [{ keyId: KEY, publicKey: rsaPem }],
        endpoint: 'https://artifacts.example.test/',
      }),
      { secrets: secrets(SECRET) },
    );
    const a = compiled.authorities[0] as CompiledOciVaultAuthority;
    expect(a.kind).toBe('ociVault');
    expect(a.endpoint).toBe('https://artifacts.example.test');
    expect(a.keys[0]?.publicKey?.type).toBe('rsa');
    expect(a.auth).toMatchObject({ kind: 'apiKey', tenancy: SECRET.tenancy, secret: 'portcullis/oci' });
  });

  test.each([
    ['instance principals', { auth: { instancePrincipal: true } }, { kind: 'instancePrincipal' }],
    ['workload identity', { auth: { workloadIdentity: true } }, { kind: 'workloadIdentity' }],
    [
      'a config file',
      { auth: { configFile: '/etc/oci/config' } },
      { kind: 'configFile', profile: 'DEFAULT' },
    ],
  ])('compile: %s', (_name, change, auth) => {
    const a = compilePolicy(policy(change), { secrets: secrets(undefined) }).authorities[0];
    expect((a as CompiledOciVaultAuthority).auth).toMatchObject(auth);
  });

  test.each([
    ['a bad region', { region: 'tokyo' }, 'spec.authorities[0].ociVault.region', 'POLICY_FIELD_VALUE'],
    [
      'a bad compartment',
      { compartmentId: 'x' },
      'spec.authorities[0].ociVault.compartmentId',
      'POLICY_FIELD_VALUE',
    ],
    [
      'a key version OCID',
      { keys: [{ keyId: 'ocid1.keyversion.oc1.x.v.a' }] },
      'spec.authorities[0].ociVault.keys[0].keyId',
      'POLICY_FIELD_VALUE',
    ],
    [
      'duplicate keys',
      { keys: [{ keyId: KEY }, { keyId: KEY }] },
      'spec.authorities[0].ociVault.keys[1].keyId',
      'POLICY_FIELD_VALUE',
    ],
    [
      'an http endpoint',
      { endpoint: 'http://x.test' },
      'spec.authorities[0].ociVault.endpoint',
      'POLICY_FIELD_VALUE',
    ],
    ['no auth', { auth: undefined }, 'spec.authorities[0].ociVault.auth', 'POLICY_FIELD_REQUIRED'],
    [
      'two auth methods',
      { auth: { instancePrincipal: true, configFile: 'x' } },
      'spec.authorities[0].ociVault.auth',
      'POLICY_FIELD_VALUE',
    ],
    [
      'profile without configFile',
      { auth: { instancePrincipal: true, profile: 'P' } },
      'spec.authorities[0].ociVault.auth.profile',
      'POLICY_FIELD_NOT_ALLOWED',
    ],
    [
      'an EC pinned key',
      {
        keys: [{ keyId: KEY, publicKey: ecKey.publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
      },
      'spec.authorities[0].ociVault.keys[0].publicKey',
      'POLICY_KEY_INVALID',
    ],
  ])('refuses %s with a field path', (_name, change, path, code) => {
    const error = (() => {
      try {
        compilePolicy(policy(change), { secrets: secrets(SECRET) });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).fieldErrors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path, code })]),
    );
  });

  test.each([
    ['a missing Secret', undefined, 'POLICY_SECRET_NOT_FOUND', 'not found'],
    ['a Secret without privatekey', { ...SECRET, privatekey: '' }, 'POLICY_SECRET_NOT_FOUND', 'privatekey'],
    ['a damaged private key', { ...SECRET, privatekey: 'garbage' }, 'POLICY_SECRET_INVALID', 'privatekey'],
    ['a bad fingerprint', { ...SECRET, fingerprint: 'abc' }, 'POLICY_SECRET_INVALID', 'fingerprint'],
  ])('refuses %s without quoting it', (_name, data, code, text) => {
    expect(() => compilePolicy(policy({}), { secrets: secrets(data) })).toThrowWithCode(code, {
      instanceOf: PolicyError,
      message: [text, expect.not.stringContaining('PRIVATE KEY')],
    });
  });
});
