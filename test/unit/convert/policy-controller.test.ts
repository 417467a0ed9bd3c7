// `policy from-policy-controller`: policy-controller's own policies (test/fixtures/migration/policy-controller/)
// convert to the policies below, every field is mapped, reported or refused, and globs select the same names.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { policiesFromPolicyController } from '../../../src/convert/policy-controller';
import { translatePolicyControllerGlob } from '../../../src/convert/policy-controller-glob';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { compileImageGlob } from '../../../src/reference/glob';
import { refusalPaths as pathsOf } from './refusal';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'policy-controller');
const fixture = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');

// refusalPaths converts and returns the field paths of the POLICY_CONVERT_UNMAPPABLE error.
function refusalPaths(text: string): string[] {
  return pathsOf(() => policiesFromPolicyController(text));
}

describe('policiesFromPolicyController on policy-controller fixtures', () => {
  it.each([
    [
      'cip-key-no-rekor.yaml',
      'image-policy-key',
      { cosign: { key: { data: expect.stringContaining('BEGIN PUBLIC KEY') } } },
    ],
    [
      'signed-by-github-actions.yaml',
      'image-is-signed-by-github-actions',
      {
        cosign: {
          keyless: {
            identities: [
              {
                issuer: 'https://token.actions.githubusercontent.com',
                subject:
                  'https://github.com/sigstore/policy-controller/.github/workflows/policy-tester-examples.yml@refs/heads/main',
              },
            ],
          },
          tlog: { required: true },
        },
      },
    ],
    [
      'keyless-attestation-sbom-spdxjson.yaml',
      'keyless-attestation-sbom-spdxjson',
      {
        name: 'keyless',
        cosign: {
          attestations: [{ name: 'must-have-spdxjson', predicateType: 'https://spdx.dev/Document' }],
        },
      },
    ],
    [
      'custom-key-attestation-sbom-spdxjson.yaml',
      'custom-key-attestation-sbom-spdxjson',
      {
        name: 'custom-key',
        cosign: { tlog: { required: true }, attestations: [{ predicateType: 'https://spdx.dev/Document' }] },
      },
    ],
  ])('%s converts to a compiling ClusterImagePolicy in labelled namespaces', (file, name, authority) => {
    const c = policiesFromPolicyController(fixture(file));
    expect(c.policies).toHaveLength(1);
    const p = c.policies[0];
    expect(p).toMatchObject({
      kind: 'ClusterImagePolicy',
      metadata: { name },
      spec: {
        mode: 'enforce',
        threshold: 1,
        namespaceSelector: { matchLabels: { 'policy.sigstore.dev/include': 'true' } },
        authorities: [authority],
      },
    });
    expect(() => compilePolicy(p!, { secrets: { get: () => undefined } })).not.toThrow();
    expect(
      c.findings.some(
        (f) => f.kind === 'semantics' && f.message.includes('policy.sigstore.dev/include=true'),
      ),
    ).toBe(true);
    expect(c.findings.some((f) => f.message.includes('no-match-policy'))).toBe(true);
  });

  it('reports a trivial cue policy and the short predicate type instead of dropping them', () => {
    const c = policiesFromPolicyController(fixture('custom-key-attestation-sbom-spdxjson.yaml'));
    expect(c.findings.map((f) => [f.kind, f.source])).toEqual(
      expect.arrayContaining([
        [
          'unmapped',
          'ClusterImagePolicy/custom-key-attestation-sbom-spdxjson spec.authorities[0].attestations[0].policy',
        ],
        [
          'note',
          'ClusterImagePolicy/custom-key-attestation-sbom-spdxjson spec.authorities[0].attestations[0].predicateType',
        ],
      ]),
    );
  });

  it('writes no policy for a glob that never matches a digest reference, and says so', () => {
    const c = policiesFromPolicyController(fixture('cip-public-keyless.yaml'));
    expect(c.policies).toHaveLength(0);
    expect(c.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'unmapped', source: 'ClusterImagePolicy/demo spec.images[0].glob' }),
      ]),
    );
  });

  it.each([
    ['cip-static-pass.yaml', 'ClusterImagePolicy/image-policy-static-pass spec.authorities[0].static.action'],
    ['cip-static-fail.yaml', 'ClusterImagePolicy/image-policy-static-fail spec.authorities'],
    ['cip-match-resource-label.yaml', 'ClusterImagePolicy/image-policy-match-label spec.match'],
    [
      'signed-by-aws-kms-key.yaml',
      'ClusterImagePolicy/image-is-signed-by-aws-kms-key spec.authorities[0].key.kms',
    ],
    ['cip-key.yaml', 'ClusterImagePolicy/image-policy-key spec.authorities[0].ctlog.url'],
    ['cip-keyless-warn.yaml', 'ClusterImagePolicy/image-policy-keyless-warn spec.authorities[0].keyless.url'],
    [
      'cip-key-with-attestations.yaml',
      'ClusterImagePolicy/image-policy-key-with-attestations spec.authorities[0].attestations[0].policy',
    ],
    [
      'release-signed-by-github-actions.yaml',
      'ClusterImagePolicy/image-is-signed-by-github-actions spec.images[0].glob',
    ],
    [
      'cip-keyless-with-source.yaml',
      'ClusterImagePolicy/image-policy-keyless-source spec.authorities[0].source[0].oci',
    ],
  ])('%s is refused at %s', (file, where) => {
    expect(refusalPaths(fixture(file))).toContain(where);
  });

  it('refuses a field it does not know, and a policy-level cue policy', () => {
    const text = fixture('cip-key-no-rekor.yaml').replace(
      'spec:\n',
      'spec:\n  futureField: true\n  policy: {type: cue, data: "x"}\n',
    );
    expect(refusalPaths(text)).toEqual(
      expect.arrayContaining([
        'ClusterImagePolicy/image-policy-key spec.futureField',
        'ClusterImagePolicy/image-policy-key spec.policy',
      ]),
    );
  });

  it('keeps mode warn and maps keyless regular expressions to unanchored ones', () => {
    const text = fixture('signed-by-github-actions.yaml')
      .replace('spec:\n', 'spec:\n  mode: warn\n')
      .replace('- issuer: https://token.actions.githubusercontent.com', '- issuerRegExp: token\\.actions')
      .replace(/subject: ".*"/, 'subjectRegExp: "@refs/heads/main$"');
    const p = policiesFromPolicyController(text).policies[0];
    expect(p?.spec.mode).toBe('warn');
    const id = p?.spec.authorities[0]?.cosign?.keyless?.identities[0];
    expect(id).toEqual({
      issuerRegExp: '.*(?:token\\.actions).*',
      subjectRegExp: '.*(?:@refs/heads/main$).*',
    });
  });
});

/** policy-controller's documented matching: glob → regexp (`*` = `[^/]*`, `**` = `.*`), anchored, against `name@digest`. */
function pcMatches(glob: string, ref: string): boolean {
  if (glob === '*') glob = 'index.docker.io/library/*';
  if (glob === '*/*') glob = 'index.docker.io/*/*';
  const re = glob.replace(/\./g, '\\.').replace(/\*\*/g, '#').replace(/\*/g, '[^/]*').replace(/#/g, '.*');
  return new RegExp(`^${re}$`).test(ref);
}

const DIGEST = `@sha256:${'0123456789abcdef'.repeat(4)}`;
const NAMES = [
  'docker.io/library/busybox',
  'docker.io/acme/demo-app',
  'registry.local:5000/policy-controller/demo',
  'registry.local:5000/policy-controller/demo/sub',
  'demo.example.com/app',
  'localhost/demo',
  'localhost:5000/team/app',
  'ghcr.io/sigstore/timestamp-server',
  'ghcr.io/sigstore/timestamp-server-x/y',
  'gcr.io/vaikas/x',
  'gcr.io/vaikasx/y',
];

describe('translatePolicyControllerGlob', () => {
  it.each([
    '**',
    '*',
    '*/*',
    '**demo**',
    'ghcr.io/sigstore/timestamp-server**',
    'gcr.io/vaikas/**',
    'registry.local:5000/policy-controller/demo*',
  ])('%s selects the same names as policy-controller does on name@sha256 references', (glob) => {
    const t = translatePolicyControllerGlob(glob);
    expect(t.kind).toBe('globs');
    const globs = t.kind === 'globs' ? t.globs.map((g) => compileImageGlob(g)) : [];
    for (const name of NAMES) {
      const pcName = name.replace(/^docker\.io\//, 'index.docker.io/');
      expect([name, globs.some((g) => g.matches(name))]).toEqual([name, pcMatches(glob, pcName + DIGEST)]);
    }
  });

  it.each([
    ['myproject/nginx*', 'refuse'],
    ['registry.io/app:*', 'refuse'],
    ['registry.io/*a**', 'refuse'],
    ['docker.io/library/*', 'refuse'],
    ['registry.io/app', 'never'],
  ])('%s → %s', (glob, kind) => {
    expect(translatePolicyControllerGlob(glob).kind).toBe(kind);
  });
});
