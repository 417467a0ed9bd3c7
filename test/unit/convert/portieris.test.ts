// `policy from-portieris`: Portieris's own e2e test policies (vendored under test/fixtures/migration/portieris/)
// convert to policies the real compiler accepts, or are refused with the reason.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { convertPortieris, type PortierisOptions } from '../../../src/convert/portieris';
import type { Conversion } from '../../../src/convert/report';
import { refusal } from './refusal';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'portieris');
const ROOT_KEY = readFileSync(
  path.join(__dirname, '..', '..', 'fixtures', 'conformance', 'notaryv1', 'connaisseur', 'keys', 'del1.pub'),
  'utf8',
);
const OPTIONS: PortierisOptions = {
  noMatch: 'deny',
  namespace: 'default',
  rootKeys: [ROOT_KEY],
  signers: new Map([
    ['signer1pubkey', 'signer1'],
    ['signer2pubkey', 'signer2'],
  ]),
  acceptUnpinnedSigners: true,
};

// fixture converts one vendored file.
function fixture(name: string, options: PortierisOptions = OPTIONS): Conversion {
  return convertPortieris(readFileSync(path.join(DIR, name), 'utf8'), options);
}

describe('from-portieris on Portieris e2e test policies', () => {
  it.each([
    [
      'imagepolicy-allow-signed-dockerhub.yaml',
      'docker.io/library/nginx',
      'https://notary.docker.io',
      undefined,
    ],
    [
      'imagepolicy-allow-signed-custom.yaml',
      'de.icr.io/testing-authn/nginx',
      'https://notary.de.icr.io',
      undefined,
    ],
    [
      'imagepolicy-pinned-signer1.yaml',
      'de.icr.io/testing-authn/nginx',
      'https://notary.de.icr.io',
      ['targets/signer1'],
    ],
    [
      'imagepolicy-pinned-multi.yaml',
      'de.icr.io/testing-authn/nginx',
      'https://notary.de.icr.io',
      ['targets/signer1', 'targets/signer2'],
    ],
  ])('%s converts to one ImagePolicy', (name, glob, server, delegations) => {
    const c = fixture(name);
    expect(c.policies).toHaveLength(1);
    const p = c.policies[0];
    expect(p?.kind).toBe('ImagePolicy');
    expect(p?.spec.images).toEqual([{ glob }]);
    expect(p?.spec.authorities[0]?.notaryV1).toEqual({
      server,
      rootKeys: [ROOT_KEY],
      ...(delegations ? { delegations } : {}),
    });
    if (p) compilePolicy(p, { secrets: { get: () => undefined }, defaultNamespace: 'default' });
    expect(c.findings.some((f) => f.kind === 'semantics' && f.message.includes('first use'))).toBe(true);
  });

  it('clusterimagepolicy-allow-all.yaml: an empty policy on "*" leaves everything to --no-match allow', () => {
    const c = fixture('clusterimagepolicy-allow-all.yaml', { ...OPTIONS, noMatch: 'allow' });
    expect(c.policies).toEqual([]);
    expect(c.findings).toContainEqual(expect.objectContaining({ kind: 'semantics' }));
  });

  it.each([
    ['clusterimagepolicy-allow-all.yaml', 'deny', 'admits its images without verification'],
    ['imagepolicy-allow-unsigned-embedded-wildcard.yaml', 'allow', 'denies an image that no rule matches'],
    ['imagepolicy-simple-signedby1.yaml', 'deny', 'X-Registry-Supports-Signatures'],
    ['imagepolicy-vulnerability-enabled.yaml', 'deny', 'no vulnerability gate'],
  ] as const)('refuses %s under --no-match %s', (name, noMatch, message) => {
    const e = refusal(() => fixture(name, { ...OPTIONS, noMatch }));
    expect(e.code).toBe('POLICY_CONVERT_UNMAPPABLE');
    expect(e.message).toContain(message);
  });

  it('refuses trust without a root key or a signer mapping', () => {
    expect(
      refusal(() => fixture('imagepolicy-allow-signed-custom.yaml', { ...OPTIONS, rootKeys: [] })).message,
    ).toContain('--notary-root-key');
    expect(
      refusal(() => fixture('imagepolicy-pinned-multi.yaml', { ...OPTIONS, signers: new Map() })).message,
    ).toContain('--signer signer1pubkey=');
  });

  // semanticsAt matches a semantics finding whose source and message contain the given text.
  const semanticsAt = (source: string, message: string): unknown =>
    expect.objectContaining({
      kind: 'semantics',
      source: expect.stringContaining(source),
      message: expect.stringContaining(message),
    });

  it('reports that trust without signerSecrets is stricter than Portieris (any delegation role)', () => {
    const c = fixture('imagepolicy-allow-signed-custom.yaml');
    expect(c.findings).toContainEqual(semanticsAt('policy.trust', 'any delegation role'));
  });

  it('refuses signerSecrets unless --accept-unpinned-signers: Portcullis does not pin the signer key', () => {
    const e = refusal(() =>
      fixture('imagepolicy-pinned-signer1.yaml', { ...OPTIONS, acceptUnpinnedSigners: false }),
    );
    expect(e.code).toBe('POLICY_CONVERT_UNMAPPABLE');
    expect(e.message).toContain('--accept-unpinned-signers');
    expect(e.message).toContain('signerSecrets[0]');
    const c = fixture('imagepolicy-pinned-signer1.yaml');
    expect(c.findings).toContainEqual(semanticsAt('signerSecrets[0]', 'public key'));
  });

  it('reports every nested field Portieris never sees (pruned by the API server)', () => {
    const text =
      'apiVersion: portieris.cloud.ibm.com/v1\nkind: ImagePolicy\nmetadata: {name: i, namespace: team}\n' +
      'spec:\n  extra: 1\n  repositories:\n  - name: "registry.example.com/team/*"\n    weight: 2\n' +
      '    policy:\n      trust:\n        enabled: true\n        trustServer: "https://notary.example.com"\n' +
      '        signerSecret: [{name: s}]\n';
    const c = convertPortieris(text, OPTIONS);
    const unmapped = c.findings.filter((f) => f.kind === 'unmapped').map((f) => f.source);
    expect(unmapped).toEqual(
      expect.arrayContaining([
        'ImagePolicy/team/i spec.extra',
        'ImagePolicy/team/i spec.repositories[0].weight',
        'ImagePolicy/team/i spec.repositories[0].policy.trust.signerSecret',
      ]),
    );
  });

  it('keeps namespace exclusivity and reports mutateImage', () => {
    const text = [
      'apiVersion: portieris.cloud.ibm.com/v1\nkind: ClusterImagePolicy\nmetadata: {name: c}\nspec:\n  repositories:\n  - name: "*"\n    policy:\n      mutateImage: false\n      trust: {enabled: true, trustServer: "https://notary.example.com"}',
      'apiVersion: portieris.cloud.ibm.com/v1\nkind: ImagePolicy\nmetadata: {name: i, namespace: team}\nspec:\n  repositories:\n  - name: "registry.example.com/team/*"\n    policy:\n      trust: {enabled: true, trustServer: "https://notary.example.com"}',
    ].join('\n---\n');
    const c = convertPortieris(text, OPTIONS);
    const cluster = c.policies.find((p) => p.kind === 'ClusterImagePolicy');
    expect(cluster?.kind === 'ClusterImagePolicy' && cluster.spec.namespaceSelector).toEqual({
      matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['team'] }],
    });
    expect(c.policies.find((p) => p.kind === 'ImagePolicy')?.spec.images).toEqual([
      { glob: 'registry.example.com/team/**' },
    ]);
    expect(c.findings).toContainEqual(
      expect.objectContaining({ kind: 'unmapped', source: expect.stringContaining('mutateImage') }),
    );
  });

  it.each([
    ['nginx', true],
    ['docker.io/library/*', true],
    ['registry.example.com/team/*', false],
    ['*', false],
  ])('%s: reports that Portieris matches Docker Hub names as written: %s', (name, reported) => {
    const text = `apiVersion: portieris.cloud.ibm.com/v1\nkind: ClusterImagePolicy\nmetadata: {name: c}\nspec:\n  repositories:\n  - name: "${name}"\n    policy:\n      trust: {enabled: true, trustServer: "https://notary.example.com"}`;
    const c = convertPortieris(text, OPTIONS);
    const spelling = c.findings.filter(
      (f) => f.kind === 'semantics' && f.message.includes('as written in the pod'),
    );
    expect(spelling.length > 0).toBe(reported);
  });
});
