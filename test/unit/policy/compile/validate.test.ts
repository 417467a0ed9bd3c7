import { validatePolicyObject } from '../../../../src/policy/compile/validate';
import { clusterPolicy, namespacedPolicy, PEM } from '../helpers';

type Case = [name: string, obj: unknown, path: string, code: string];

const cosign = (name: string) => ({ name, cosign: { key: { data: PEM } } });

const cases: Case[] = [
  ['not an object', 'nope', '<root>', 'POLICY_FIELD_TYPE'],
  [
    'wrong apiVersion',
    { ...clusterPolicy(), apiVersion: 'portcullis.dev/v1' },
    'apiVersion',
    'POLICY_KIND_INVALID',
  ],
  ['wrong kind', { ...clusterPolicy(), kind: 'ImagePolicies' }, 'kind', 'POLICY_KIND_INVALID'],
  ['unknown top-level field', { ...clusterPolicy(), sepc: {} }, 'sepc', 'POLICY_FIELD_UNKNOWN'],
  ['missing metadata', { ...clusterPolicy(), metadata: undefined }, 'metadata', 'POLICY_FIELD_REQUIRED'],
  ['missing metadata.name', { ...clusterPolicy(), metadata: {} }, 'metadata.name', 'POLICY_FIELD_REQUIRED'],
  [
    'bad metadata.name',
    { ...clusterPolicy(), metadata: { name: 'Bad_Name' } },
    'metadata.name',
    'POLICY_FIELD_VALUE',
  ],
  [
    'ImagePolicy without namespace',
    { ...namespacedPolicy(), metadata: { name: 'x' } },
    'metadata.namespace',
    'POLICY_FIELD_REQUIRED',
  ],
  ['missing spec', { ...clusterPolicy(), spec: undefined }, 'spec', 'POLICY_FIELD_REQUIRED'],
  ['unknown mode', clusterPolicy({ mode: 'enforced' }), 'spec.mode', 'POLICY_FIELD_VALUE'],
  ['mode of wrong type', clusterPolicy({ mode: 3 }), 'spec.mode', 'POLICY_FIELD_TYPE'],
  ['threshold 0', clusterPolicy({ threshold: 0 }), 'spec.threshold', 'POLICY_THRESHOLD_INVALID'],
  [
    'threshold above authorities',
    clusterPolicy({ threshold: 2 }),
    'spec.threshold',
    'POLICY_THRESHOLD_INVALID',
  ],
  ['threshold not integer', clusterPolicy({ threshold: 1.5 }), 'spec.threshold', 'POLICY_FIELD_TYPE'],
  ['empty images', clusterPolicy({ images: [] }), 'spec.images', 'POLICY_FIELD_VALUE'],
  ['missing images', clusterPolicy({ images: undefined }), 'spec.images', 'POLICY_FIELD_REQUIRED'],
  [
    'invalid glob',
    clusterPolicy({ images: [{ glob: 'ok.example.com/**' }, { glob: 'a b' }] }),
    'spec.images[1].glob',
    'POLICY_GLOB_INVALID',
  ],
  [
    'glob with tag',
    clusterPolicy({ images: [{ glob: 'nginx:1.25' }] }),
    'spec.images[0].glob',
    'POLICY_GLOB_INVALID',
  ],
  [
    'unknown field in images',
    clusterPolicy({ images: [{ glob: 'nginx', tag: 'x' }] }),
    'spec.images[0].tag',
    'POLICY_FIELD_UNKNOWN',
  ],
  ['no authorities', clusterPolicy({ authorities: [] }), 'spec.authorities', 'POLICY_FIELD_VALUE'],
  [
    'duplicate authority',
    clusterPolicy({ authorities: [cosign('a'), cosign('b'), cosign('a')] }),
    'spec.authorities[2].name',
    'POLICY_AUTHORITY_DUPLICATE',
  ],
  [
    'authority with no kind',
    clusterPolicy({ authorities: [cosign('a'), { name: 'b' }] }),
    'spec.authorities[1]',
    'POLICY_AUTHORITY_KIND',
  ],
  [
    'authority with two kinds',
    clusterPolicy({
      authorities: [
        { name: 'a', cosign: { key: { data: PEM } }, notaryV1: { server: 'https://n', rootKeys: ['x'] } },
      ],
    }),
    'spec.authorities[0]',
    'POLICY_AUTHORITY_KIND',
  ],
  [
    'authority name pattern',
    clusterPolicy({ authorities: [cosign('has space')] }),
    'spec.authorities[0].name',
    'POLICY_FIELD_VALUE',
  ],
  [
    'typo in cosign',
    clusterPolicy({ authorities: [{ name: 'a', cosgin: {} }] }),
    'spec.authorities[0].cosgin',
    'POLICY_FIELD_UNKNOWN',
  ],
  [
    'cosign without key',
    clusterPolicy({ authorities: [{ name: 'a', cosign: {} }] }),
    'spec.authorities[0].cosign.key',
    'POLICY_FIELD_REQUIRED',
  ],
  [
    'key with data and secretRef',
    clusterPolicy({
      authorities: [
        { name: 'a', cosign: { key: { data: PEM, secretRef: { name: 's', namespace: 'n', key: 'k' } } } },
      ],
    }),
    'spec.authorities[0].cosign.key',
    'POLICY_FIELD_VALUE',
  ],
  [
    'empty key',
    clusterPolicy({ authorities: [{ name: 'a', cosign: { key: {} } }] }),
    'spec.authorities[0].cosign.key',
    'POLICY_FIELD_REQUIRED',
  ],
  [
    'ociVault with a malformed region',
    clusterPolicy({
      authorities: [{ name: 'oke', ociVault: { region: 'r', compartmentId: 'c', keys: [{ keyId: 'k' }] } }],
    }),
    'spec.authorities[0].ociVault.region',
    'POLICY_FIELD_VALUE',
  ],
  [
    'keyless without identities',
    clusterPolicy({ authorities: [{ name: 'k', cosign: { keyless: { identities: [] } } }] }),
    'spec.authorities[0].cosign.keyless.identities',
    'POLICY_FIELD_VALUE',
  ],
  [
    'two attestation rules of one name',
    clusterPolicy({
      authorities: [
        {
          name: 'a',
          cosign: {
            key: { data: PEM },
            attestations: [
              { name: 'x', predicateType: 'p' },
              { name: 'x', predicateType: 'q' },
            ],
          },
        },
      ],
    }),
    'spec.authorities[0].cosign.attestations[1].name',
    'POLICY_FIELD_VALUE',
  ],
  [
    'tlog.required not a boolean',
    clusterPolicy({
      authorities: [{ name: 'a', cosign: { key: { data: PEM }, tlog: { required: 'yes' } } }],
    }),
    'spec.authorities[0].cosign.tlog.required',
    'POLICY_FIELD_TYPE',
  ],
  [
    'namespaceSelector on ImagePolicy',
    namespacedPolicy({ namespaceSelector: {} }),
    'spec.namespaceSelector',
    'POLICY_FIELD_NOT_ALLOWED',
  ],
  [
    'bad selector operator',
    clusterPolicy({
      namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Equals', values: ['a'] }] },
    }),
    'spec.namespaceSelector.matchExpressions[0].operator',
    'POLICY_FIELD_VALUE',
  ],
  [
    'In without values',
    clusterPolicy({ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In' }] } }),
    'spec.namespaceSelector.matchExpressions[0].values',
    'POLICY_FIELD_REQUIRED',
  ],
  [
    'Exists with values',
    clusterPolicy({
      namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Exists', values: ['x'] }] },
    }),
    'spec.namespaceSelector.matchExpressions[0].values',
    'POLICY_FIELD_VALUE',
  ],
  [
    'bad label value',
    clusterPolicy({ namespaceSelector: { matchLabels: { env: 'no spaces' } } }),
    'spec.namespaceSelector.matchLabels.env',
    'POLICY_FIELD_VALUE',
  ],
  [
    'bad breakGlass.allowed',
    clusterPolicy({ breakGlass: { allowed: 'yes' } }),
    'spec.breakGlass.allowed',
    'POLICY_FIELD_TYPE',
  ],
  [
    'typo in breakGlass',
    clusterPolicy({ breakGlass: { alowed: false } }),
    'spec.breakGlass.alowed',
    'POLICY_FIELD_UNKNOWN',
  ],
  [
    'bad onError',
    clusterPolicy({ registry: { onError: 'ignore' } }),
    'spec.registry.onError',
    'POLICY_FIELD_VALUE',
  ],
  [
    'maxStaleness without onError: allowVerified',
    clusterPolicy({ registry: { onError: 'allow', maxStaleness: '1h' } }),
    'spec.registry.maxStaleness',
    'POLICY_INVALID',
  ],
  [
    'maxStaleness longer than 7d',
    clusterPolicy({ registry: { onError: 'allowVerified', maxStaleness: '8d' } }),
    'spec.registry.maxStaleness',
    'POLICY_INVALID',
  ],
  [
    'maxStaleness without a unit',
    clusterPolicy({ registry: { onError: 'allowVerified', maxStaleness: '90' } }),
    'spec.registry.maxStaleness',
    'POLICY_FIELD_VALUE',
  ],
  [
    'cluster secretRef without namespace',
    clusterPolicy({ registry: { credentials: [{ secretRef: { name: 'pull' } }] } }),
    'spec.registry.credentials[0].secretRef.namespace',
    'POLICY_FIELD_REQUIRED',
  ],
  [
    'ImagePolicy secretRef to another namespace',
    namespacedPolicy({
      authorities: [
        {
          name: 'a',
          cosign: { key: { secretRef: { name: 's', namespace: 'kube-system', key: 'cosign.pub' } } },
        },
      ],
    }),
    'spec.authorities[0].cosign.key.secretRef.namespace',
    'POLICY_FIELD_NOT_ALLOWED',
  ],
  [
    'too many images',
    clusterPolicy({ images: Array.from({ length: 65 }, () => ({ glob: 'nginx' })) }),
    'spec.images',
    'POLICY_FIELD_VALUE',
  ],
];

describe('validatePolicyObject', () => {
  test.each(cases)('%s → %s %s', (_name, obj, path, code) => {
    const { policy, errors } = validatePolicyObject(obj);
    expect(policy).toBeUndefined();
    expect(errors).toContainEqual(expect.objectContaining({ path, code }));
  });

  test('a valid ClusterImagePolicy has no errors and keeps its fields', () => {
    const { policy, errors } = validatePolicyObject(clusterPolicy({ mode: 'warn', threshold: 1 }));
    expect(errors).toEqual([]);
    expect(policy?.kind).toBe('ClusterImagePolicy');
    expect(policy?.spec.mode).toBe('warn');
  });

  test('an ImagePolicy without namespace takes the default namespace', () => {
    const { policy, errors } = validatePolicyObject(
      { ...namespacedPolicy(), metadata: { name: 'x' } },
      { defaultNamespace: 'dev' },
    );
    expect(errors).toEqual([]);
    expect(policy?.metadata.namespace).toBe('dev');
  });

  test('every error is collected, each with its own path', () => {
    const obj = clusterPolicy({
      mode: 'bogus',
      threshold: 5,
      images: [{ glob: 'UPPER/Case' }],
      authorities: [{ name: 'a' }, { name: 'a', cosign: {} }],
    });
    const paths = validatePolicyObject(obj).errors.map((e) => `${e.path} ${e.code}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spec.mode POLICY_FIELD_VALUE',
        'spec.threshold POLICY_THRESHOLD_INVALID',
        'spec.images[0].glob POLICY_GLOB_INVALID',
        'spec.authorities[0] POLICY_AUTHORITY_KIND',
        'spec.authorities[1].name POLICY_AUTHORITY_DUPLICATE',
        'spec.authorities[1].cosign.key POLICY_FIELD_REQUIRED',
      ]),
    );
  });

  test('an unknown field suggests the nearest allowed name', () => {
    const { errors } = validatePolicyObject(clusterPolicy({ requireDigets: true }));
    expect(errors).toEqual([
      expect.objectContaining({
        path: 'spec.requireDigets',
        message: expect.stringContaining('did you mean "requireDigest"'),
      }),
    ]);
  });

  test('null values count as absent, as the API server prunes them', () => {
    const { errors } = validatePolicyObject(clusterPolicy({ breakGlass: null, namespaceSelector: null }));
    expect(errors).toEqual([]);
  });

  test('messages never quote key material', () => {
    const secretish =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const { errors } = validatePolicyObject(
      clusterPolicy({
        authorities: [
          {
            name: 'a',
            cosign: { key: { data: secretish, secretRef: { name: 's', namespace: 'n', key: 'k' } } },
          },
        ],
      }),
    );
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e.message).not.toContain('MIIEvQ');
  });
});
