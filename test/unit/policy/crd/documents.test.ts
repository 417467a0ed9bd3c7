import {
  configMapLookupFrom,
  parsePolicyDocuments,
  secretLookupFrom,
  MAX_POLICY_FILE_BYTES,
} from '../../../../src/policy/crd/documents';
import { formatLintFinding, lintPolicyFiles, lintPolicyText } from '../../../../src/policy/compile/lint';

const POLICY = `apiVersion: portcullis.dev/v1alpha1
kind: ClusterImagePolicy
metadata: {name: a}
spec:
  images: [{glob: nginx}]
  authorities:
    - name: k
      cosign:
        key:
          secretRef: {name: keys, namespace: portcullis, key: cosign.pub}
`;

describe('parsePolicyDocuments', () => {
  test('splits policies and Secrets; decodes data and merges stringData over it', () => {
    const text = `${POLICY}---\napiVersion: v1\nkind: Secret\nmetadata: {name: keys, namespace: portcullis}\ndata:\n  a: aGVsbG8=\n  b: eA==\nstringData:\n  b: y\n---\n`;
    const out = parsePolicyDocuments(text, 'p.yaml');
    expect(out.errors).toEqual([]);
    expect(out.policies).toHaveLength(1);
    expect(out.policies[0]?.line).toBe(1);
    expect(out.secrets).toEqual([
      { name: 'keys', namespace: 'portcullis', data: { a: 'hello', b: 'y' }, source: 'p.yaml', line: 12 },
    ]);
    expect(secretLookupFrom(out.secrets).get('portcullis', 'keys')).toEqual({ a: 'hello', b: 'y' });
  });

  test('Secrets without namespace live in the default namespace', () => {
    const out = parsePolicyDocuments('kind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n', 's.yaml');
    expect(secretLookupFrom(out.secrets, 'dev').get('dev', 's')).toEqual({ k: 'v' });
    expect(secretLookupFrom(out.secrets, 'dev').get('default', 's')).toBeUndefined();
  });

  test('reads ConfigMaps: data as is, binaryData decoded; without a namespace, the default one', () => {
    const text = `kind: ConfigMap\nmetadata: {name: root, namespace: sigstore}\ndata:\n  trusted_root.json: '{"a":1}'\n---\nkind: ConfigMap\nmetadata: {name: other}\nbinaryData:\n  root.json: eyJiIjoyfQ==\n`;
    const out = parsePolicyDocuments(text, 'c.yaml');
    expect(out.errors).toEqual([]);
    expect(out.secrets).toEqual([]);
    const lookup = configMapLookupFrom(out.configMaps, 'dev');
    expect(lookup.get('sigstore', 'root')).toEqual({ 'trusted_root.json': '{"a":1}' });
    expect(lookup.get('dev', 'other')).toEqual({ 'root.json': '{"b":2}' });
    expect(out.configMaps[1]).toMatchObject({ source: 'c.yaml', line: 6 });
  });

  test('finds the line of a field path', () => {
    const [doc] = parsePolicyDocuments(`---\n${POLICY}`, 'p.yaml').policies;
    expect(doc?.lineOf('spec.authorities[0].cosign.key.secretRef')).toBe(11);
    // A path that does not exist points at the key of its deepest existing step (`cosign:`).
    expect(doc?.lineOf('spec.authorities[0].cosign.nothing.here')).toBe(9);
    expect(doc?.lineOf('metadata.name')).toBe(4);
  });

  test.each([
    ['syntax error', 'a: [1, 2\nb: c', 'POLICY_YAML_INVALID'],
    ['duplicate key', 'kind: ImagePolicy\nkind: ImagePolicy\n', 'POLICY_YAML_INVALID'],
    [
      'alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nkind: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]`,
      'POLICY_YAML_INVALID',
    ],
    ['a list document', '- a\n- b\n', 'POLICY_YAML_INVALID'],
    ['another kind', 'apiVersion: v1\nkind: Service\n', 'POLICY_KIND_INVALID'],
    ['nameless ConfigMap', 'kind: ConfigMap\ndata: {k: v}\n', 'POLICY_FIELD_REQUIRED'],
    [
      'ConfigMap binaryData not base64',
      'kind: ConfigMap\nmetadata: {name: c}\nbinaryData: {k: "!"}\n',
      'POLICY_FIELD_VALUE',
    ],
    [
      'ConfigMap data not a mapping',
      'kind: ConfigMap\nmetadata: {name: c}\ndata: [a]\n',
      'POLICY_FIELD_TYPE',
    ],
    ['bad base64', 'kind: Secret\nmetadata: {name: s}\ndata: {k: "not base64!"}\n', 'POLICY_FIELD_VALUE'],
    ['nameless Secret', 'kind: Secret\nstringData: {k: v}\n', 'POLICY_FIELD_REQUIRED'],
  ])('reports %s with file and line', (_n, text, code) => {
    const out = parsePolicyDocuments(text, 'f.yaml');
    expect(out.errors).toContainEqual(
      expect.objectContaining({ source: 'f.yaml', code, line: expect.any(Number) }),
    );
    expect(out.policies).toEqual([]);
  });

  test('refuses oversized files', () => {
    const out = parsePolicyDocuments('#'.repeat(MAX_POLICY_FILE_BYTES + 1), 'big.yaml');
    expect(out.errors).toEqual([expect.objectContaining({ code: 'POLICY_YAML_INVALID' })]);
  });
});

describe('lint', () => {
  test('an unresolvable secretRef is a warning, not an error', () => {
    const findings = lintPolicyText(POLICY, 'p.yaml');
    expect(findings).toEqual([
      expect.objectContaining({
        path: 'spec.authorities[0].cosign.key.secretRef',
        code: 'POLICY_SECRET_NOT_FOUND',
        severity: 'warning',
        line: 10,
      }),
    ]);
    expect(formatLintFinding(findings[0]!)).toMatch(
      /^p\.yaml:10:11: spec\.authorities\[0\]\.cosign\.key\.secretRef: warning: Secret portcullis\/keys not found.* \[POLICY_SECRET_NOT_FOUND\]$/,
    );
  });

  test('a Secret from another linted file resolves, and a broken key in it is an error', () => {
    const secret =
      'apiVersion: v1\nkind: Secret\nmetadata: {name: keys, namespace: portcullis}\nstringData: {cosign.pub: nope}\n';
    const findings = lintPolicyFiles([
      { text: POLICY, source: 'p.yaml' },
      { text: secret, source: 's.yaml' },
    ]);
    expect(findings).toEqual([
      expect.objectContaining({ code: 'POLICY_KEY_INVALID', severity: 'error', source: 'p.yaml' }),
    ]);
  });

  test('the same policy in two files is an error', () => {
    const findings = lintPolicyFiles([
      { text: POLICY.replace(/key:\n.*secretRef.*\n/s, 'key: {data: x}\n'), source: 'a.yaml' },
      { text: POLICY, source: 'b.yaml' },
    ]);
    expect(findings.map((f) => f.code)).toContain('POLICY_KEY_INVALID');
    const valid = lintPolicyFiles([
      {
        text: 'kind: Secret\nmetadata: {name: keys, namespace: portcullis}\nstringData: {cosign.pub: "-----BEGIN PUBLIC KEY-----\\nMCowBQYDK2VwAyEAwZ7uP94/4sAJThWGKdG4m4xbU4is6fhHp4fhkd10n4o=\\n-----END PUBLIC KEY-----\\n"}\n',
        source: 's.yaml',
      },
      { text: POLICY, source: 'a.yaml' },
      { text: POLICY, source: 'b.yaml' },
    ]);
    expect(valid).toEqual([
      expect.objectContaining({
        source: 'b.yaml',
        code: 'POLICY_DUPLICATE',
        message: expect.stringContaining('a.yaml:1'),
      }),
    ]);
  });
});
