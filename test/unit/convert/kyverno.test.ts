// `policy from-kyverno`: Kyverno's own conformance policies (test/fixtures/migration/kyverno/) convert to the
// policies below, every field is mapped, reported or refused, and imageReferences select the same images.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { policiesFromKyverno } from '../../../src/convert/kyverno';
import { translateKyvernoPattern } from '../../../src/convert/kyverno-glob';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { isPolicyError } from '../../../src/policy/errors';
import { compileImageGlob } from '../../../src/reference/glob';
import { refusalPaths as pathsOf } from './refusal';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'kyverno');
const fixture = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const secrets = { get: () => undefined };

// refusalPaths converts and returns the field paths of the POLICY_CONVERT_UNMAPPABLE error.
function refusalPaths(text: string): string[] {
  return pathsOf(() => policiesFromKyverno(text));
}

const KEY = { cosign: { key: { data: expect.stringContaining('BEGIN PUBLIC KEY') } } };

describe('policiesFromKyverno on Kyverno conformance policies', () => {
  it.each([
    [
      'keyed-basic.yaml',
      'keyed-basic-policy-keyed-basic-rule',
      'enforce',
      'ghcr.io/kyverno/test-verify-image',
      KEY,
      undefined,
    ],
    [
      'keyed-basic-namespace-selector.yaml',
      'keyed-basic-ns-selector-policy-keyed-basic-rule',
      'enforce',
      'ghcr.io/kyverno/test-verify-image',
      KEY,
      { matchExpressions: [{ key: 'signed', operator: 'In', values: ['true'] }] },
    ],
    [
      'keyed-secret.yaml',
      'secret-in-keys-check-secret-in-keys',
      'enforce',
      'ghcr.io/kyverno/test-verify-image',
      {
        cosign: {
          key: { secretRef: { name: 'testsecret', namespace: 'test-verify-images', key: 'cosign.pub' } },
        },
      },
      undefined,
    ],
    [
      'verify-image-background-basic.yaml',
      'keyed-basic-policy-keyed-basic-rule',
      'audit',
      'ghcr.io/kyverno/test-verify-image',
      KEY,
      undefined,
    ],
    [
      'sigstore-image-verification-test.yaml',
      'sigstore-image-verification-sigstore-image-verification',
      'enforce',
      '**',
      { cosign: { keyless: { identities: [{ issuer: 'https://token.actions.githubusercontent.com' }] } } },
      undefined,
    ],
    [
      'sigstore-attestation-verification-test.yaml',
      'sigstore-attestation-verification-sigstore-attestation-verifica',
      'enforce',
      '**',
      {
        cosign: {
          attestations: [
            {
              predicateType: 'https://slsa.dev/provenance/v1',
              conditions: [
                'predicate.buildDefinition.buildType == "https://actions.github.io/buildtypes/workflow/v1"',
              ],
            },
          ],
        },
      },
      undefined,
    ],
  ])('%s converts to %s', (file, name, mode, glob, authority, selector) => {
    const c = policiesFromKyverno(fixture(file));
    expect(c.policies).toHaveLength(1);
    const p = c.policies[0]!;
    expect(p).toMatchObject({
      kind: 'ClusterImagePolicy',
      metadata: { name },
      spec: { mode, images: [{ glob }], threshold: 1, authorities: [authority] },
    });
    expect((p.spec as { namespaceSelector?: unknown }).namespaceSelector).toEqual(selector);
    expect(() => {
      try {
        compilePolicy(p, { secrets });
      } catch (e) {
        if (isPolicyError(e) && e.fieldErrors.every((f) => f.code === 'POLICY_SECRET_NOT_FOUND')) return;
        throw e;
      }
    }).not.toThrow();
    expect(c.findings.some((f) => f.message.includes('--no-match'))).toBe(true);
  });

  it("keeps Kyverno's default Rekor requirement for keys and drops it only with ignoreTlog", () => {
    const withTlog = fixture('keyed-basic.yaml').replace('ignoreTlog: true', 'ignoreTlog: false');
    expect(policiesFromKyverno(withTlog).policies[0]?.spec.authorities[0]?.cosign?.tlog).toEqual({
      required: true,
    });
    expect(
      policiesFromKyverno(fixture('keyed-basic.yaml')).policies[0]?.spec.authorities[0]?.cosign?.tlog,
    ).toBeUndefined();
  });

  it('reports every field it leaves out', () => {
    const c = policiesFromKyverno(fixture('verify-image-background-basic.yaml'));
    const at = 'ClusterPolicy/keyed-basic-policy spec';
    expect(c.findings.map((f) => [f.kind, f.source])).toEqual(
      expect.arrayContaining([
        ['unmapped', `${at}.background`],
        ['unmapped', `${at}.webhookTimeoutSeconds`],
        ['semantics', `${at}.rules[0].verifyImages[0].mutateDigest`],
        ['unmapped', `${at}.rules[0].verifyImages[0].verifyDigest`],
        ['semantics', `${at}.rules[0].verifyImages[0].failureAction`],
      ]),
    );
  });

  it('maps count to the threshold, each attestor set to its own policy, and mutateDigest false + verifyDigest to requireDigest', () => {
    const text = fixture('keyed-basic.yaml')
      .replace(
        '- attestors:\n      - entries:',
        '- mutateDigest: false\n      attestors:\n      - count: 1\n        entries:',
      )
      .replace(
        /(      imageReferences:)/,
        '      - entries:\n        - keys:\n            publicKeys: k8s://ns/other\n$1',
      );
    const c = policiesFromKyverno(text);
    expect(c.policies.map((p) => [p.metadata.name, p.spec.threshold, p.spec.requireDigest])).toEqual([
      ['keyed-basic-policy-keyed-basic-rule-sig-0', 1, true],
      ['keyed-basic-policy-keyed-basic-rule-sig-1', 1, true],
    ]);
    expect(c.policies[1]?.spec.authorities[0]?.cosign?.key).toEqual({
      secretRef: { name: 'other', namespace: 'ns', key: 'cosign.pub' },
    });
  });

  it.each([
    [
      'skip-image-reference.yaml',
      'ClusterPolicy/verify-exclude-refs spec.rules[0].verifyImages[0].skipImageReferences',
    ],
    ['skip-image-reference.yaml', 'ClusterPolicy/verify-exclude-refs spec.rules[0].context'],
    [
      'keyless-attestations-multiple-subjects-1.yaml',
      'ClusterPolicy/check-slsa-attestations-pass-1 spec.rules[0].verifyImages[0].attestations[0].attestors[0].entries[0].keyless.ctlog.ignoreSCT',
    ],
    [
      'keyless-attestations-multiple-subjects-1.yaml',
      'ClusterPolicy/check-slsa-attestations-pass-1 spec.rules[0].verifyImages[0].attestations[0].conditions[0].all[0]',
    ],
    ['with-mutation.yaml', 'ClusterPolicy/with-mutation-mut spec.rules[0].mutate'],
    [
      'notary-image-verification.yaml',
      'ClusterPolicy/check-image-notary spec.rules[0].verifyImages[0].attestors[0].entries[0].certificates',
    ],
    [
      'keyless-mutatedigest-verifydigest-required.yaml',
      'ClusterPolicy/keyless-mutatedigest-verifydigest-required spec.rules[0].verifyImages[0].attestors[0].entries[0].keyless.subject',
    ],
    ['ivpol-sample-policy.yaml', 'ImageValidatingPolicy/ivpol-sample spec.validations[2]'],
  ])('%s is refused at %s', (file, where) => {
    expect(refusalPaths(fixture(file))).toContain(where);
  });

  it('refuses weakening fields: required false, a repository elsewhere, an unknown field', () => {
    const text = fixture('keyed-basic.yaml').replace(
      '      failureAction: Enforce',
      '      failureAction: Enforce\n      required: false\n      repository: ghcr.io/sigs\n      futureField: 1',
    );
    const at = 'ClusterPolicy/keyed-basic-policy spec.rules[0].verifyImages[0]';
    expect(refusalPaths(text)).toEqual(
      expect.arrayContaining([`${at}.required`, `${at}.repository`, `${at}.futureField`]),
    );
  });

  it('converts namespaces of match and exclude into a name selector', () => {
    const text = fixture('keyed-basic.yaml')
      .replace('          - Pod\n', '          - Pod\n          namespaces: [prod, stage]\n')
      .replace(
        '    name: keyed-basic-rule',
        '    exclude:\n      any:\n      - resources:\n          namespaces: [stage]\n    name: keyed-basic-rule',
      );
    const p = policiesFromKyverno(text).policies[0];
    expect((p?.spec as { namespaceSelector?: unknown }).namespaceSelector).toEqual({
      matchExpressions: [
        { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['prod', 'stage'] },
        { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['stage'] },
      ],
    });
  });

  it('converts a namespaced Policy to an ImagePolicy in its namespace', () => {
    const text = fixture('keyed-basic.yaml')
      .replace('kind: ClusterPolicy', 'kind: Policy')
      .replace('  name: keyed-basic-policy', '  name: keyed-basic-policy\n  namespace: team-a');
    expect(policiesFromKyverno(text).policies[0]).toMatchObject({
      kind: 'ImagePolicy',
      metadata: { namespace: 'team-a' },
    });
  });
});

/** Kyverno's documented matching: `*` any run (including `/`), against `name:tag` or `name@digest`. */
function kyvernoMatches(pattern: string, image: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(image);
}

const IMAGES = [
  'ghcr.io/kyverno/test-verify-image',
  'ghcr.io/kyverno/test-verify-image-x/y',
  'ghcr.io/kyverno/zulu',
  'ghcr.io/other/app',
  'registry.io:5000/a/b',
];

describe('translateKyvernoPattern', () => {
  it.each([
    '*',
    'ghcr.io/kyverno/test-verify-image:*',
    'ghcr.io/kyverno/test-verify-image*',
    'ghcr.io/*',
    'ghcr.io/kyverno/zulu*',
  ])('%s selects the same names as Kyverno does on name:tag references', (pattern) => {
    const t = translateKyvernoPattern(pattern);
    const glob = t.kind === 'glob' ? compileImageGlob(t.glob) : undefined;
    for (const name of IMAGES)
      expect([name, glob?.matches(name)]).toEqual([name, kyvernoMatches(pattern, `${name}:v1`)]);
  });

  it.each([
    ['nginx*', 'refuse'],
    ['*.example.com/*', 'refuse'],
    ['ghcr.io/app:v1', 'refuse'],
    ['ghcr.io/a?p*', 'refuse'],
    ['ghcr.io/app', 'never'],
  ])('%s → %s', (pattern, kind) => {
    expect(translateKyvernoPattern(pattern).kind).toBe(kind);
  });
});
