// `policy from-connaisseur`: real Connaisseur values (docs and integration tests, vendored under
// test/fixtures/migration/connaisseur/) convert to policies the real compiler accepts, or are refused.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { convertConnaisseur, type ConnaisseurOptions } from '../../../src/convert/connaisseur';
import { globsOverlap } from '../../../src/convert/glob-overlap';
import type { Conversion } from '../../../src/convert/report';
import { refusal } from './refusal';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'connaisseur');
const DENY: ConnaisseurOptions = { noMatch: 'deny', secretNamespace: 'connaisseur' };
const KEY = readFileSync(path.join(DIR, 'docs-cosign-multi-all.yaml'), 'utf8')
  .match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/)?.[0]
  .replace(/\n\s+/g, '\n') as string;

// fixture converts one vendored file.
function fixture(name: string, options: ConnaisseurOptions = DENY): Conversion {
  return convertConnaisseur(readFileSync(path.join(DIR, name), 'utf8'), options);
}

// summary is what decides: per policy its globs, threshold and authority names.
function summary(c: Conversion): unknown[] {
  return c.policies.map((p) => ({
    images: p.spec.images.map((i) => i.glob),
    threshold: p.spec.threshold,
    authorities: p.spec.authorities.map((a) => a.name),
  }));
}

describe('from-connaisseur on Connaisseur documentation examples', () => {
  it.each([
    [
      'docs-cosign-multi-all.yaml',
      [{ images: ['**'], threshold: 3, authorities: ['alice', 'bob', 'charlie'] }],
    ],
    [
      'docs-cosign-multi-threshold.yaml',
      [{ images: ['**'], threshold: 2, authorities: ['alice', 'bob', 'charlie'] }],
    ],
    ['docs-cosign-multi-required.yaml', [{ images: ['**'], threshold: 2, authorities: ['alice', 'bob'] }]],
    [
      'docs-cosign-multi-threshold-required.yaml',
      [
        { images: ['**'], threshold: 2, authorities: ['alice', 'bob'] },
        { images: ['**'], threshold: 3, authorities: ['alice', 'bob', 'charlie'] },
      ],
    ],
    ['docs-cosign-keyless.yaml', [{ images: ['**'], threshold: 1, authorities: ['keyless'] }]],
  ])('%s converts to compiling policies', (name, expected) => {
    const c = fixture(name);
    expect(summary(c)).toEqual(expected);
    for (const p of c.policies)
      compilePolicy(p, { secrets: { get: () => undefined }, defaultNamespace: 'default' });
    expect(c.findings.some((f) => f.kind === 'semantics' && f.message.includes('most specific'))).toBe(true);
  });

  it('keeps the transparency-log default and unanchored keyless regexes', () => {
    const keyless = fixture('docs-cosign-keyless.yaml').policies[0]?.spec.authorities[0]?.cosign;
    expect(keyless?.keyless?.identities).toEqual([
      { issuerRegExp: '.*(?:github).*', subject: 'philipp.belitz@securesystems.de' },
    ]);
    expect(keyless?.tlog?.required).toBe(true);
  });
});

describe('from-connaisseur refuses what it cannot keep', () => {
  it('refuses tag patterns (integration-cosign-install.yaml)', () => {
    const e = refusal(() => fixture('integration-cosign-install.yaml'));
    expect(e.code).toBe('POLICY_CONVERT_UNMAPPABLE');
    expect(e.message).toContain('selects tags "rsa-*"');
  });

  it('refuses a static allow inside a verifying catch-all (integration-namespaced-install.yaml)', () => {
    const e = refusal(() => fixture('integration-namespaced-install.yaml', { ...DENY, noMatch: 'allow' }));
    expect(e.message).toContain('also matches images of the more specific pattern "redis"');
  });

  it('never excludes a pattern Connaisseur may rank below the catch-all for some images', () => {
    // Connaisseur (internal/config/config.go, internal/policy/match.go) ranks by component count, then each
    // component's common prefix with the image, then component length: for docker.io/library/ab:1 "*:*" (3
    // characters) beats "ab" (2), so Connaisseur verifies that image. Excluding "ab" would admit it unverified.
    const text = values(
      '- pattern: "*:*"\n- pattern: "ab"\n  validator: allow\n',
      '- name: allow\n  type: static\n  approve: true\n',
    );
    expect(() => convertConnaisseur(text, { ...DENY, noMatch: 'allow' })).toThrow(
      /more specific pattern "ab"/,
    );
  });

  const values = (policy: string, validators = ''): string =>
    `validators:\n- name: default\n  type: cosign\n  trustRoots:\n  - name: default\n    key: |\n${KEY.split(
      '\n',
    )
      .map((l) => `      ${l}`)
      .join('\n')}\n${validators}policy:\n${policy}`;

  it('reads the older top-level layout and maps a deny rule to --no-match deny', () => {
    const c = convertConnaisseur(
      values(
        '- pattern: "*:*"\n  validator: deny\n- pattern: "registry.example.com/team/*:*"\n',
        '- name: deny\n  type: static\n  approve: false\n',
      ),
      DENY,
    );
    expect(summary(c)).toEqual([
      { images: ['registry.example.com/team/**'], threshold: 1, authorities: ['default'] },
    ]);
    expect(c.policies[0]?.spec.authorities[0]?.cosign?.tlog?.required).toBe(true);
  });

  it.each([
    [
      'a static allow under --no-match deny',
      '- pattern: "*:*"\n  validator: allow\n',
      '- name: allow\n  type: static\n  approve: true\n',
      'admits its images without verification',
    ],
    [
      'a deny rule under --no-match allow',
      '- pattern: "*:*"\n  validator: deny\n',
      '- name: deny\n  type: static\n  approve: false\n',
      'denies its images',
    ],
    [
      'a digest pattern',
      '- pattern: "docker.io/library/redis@sha256:83edc2b8e9ffb1781a67bdab260a94674f802881838e20bba0f9a69d8cb40d70"\n',
      '',
      'pins a digest',
    ],
    ['an unknown rule field', '- pattern: "*:*"\n  weight: 3\n', '', 'unknown field "weight"'],
    [
      'a typo inside with (verifyInTransparencyLogs)',
      '- pattern: "*:*"\n  with:\n    verifyInTransparencyLogs: false\n',
      '',
      'policy[0].with.verifyInTransparencyLogs: unknown field',
    ],
    [
      'an unknown field in a keyless trust root',
      '- pattern: "*:*"\n  validator: k\n  with:\n    trustRoot: x\n',
      '- name: k\n  type: cosign\n  trustRoots:\n  - name: x\n    keyless:\n      issuer: https://i\n      subjects: s\n',
      'trustRoots[0].keyless.subjects: unknown field',
    ],
    [
      'an unknown field in a cosign host',
      '- pattern: "*:*"\n  validator: k\n',
      '- name: k\n  type: cosign\n  host:\n    rekorKey: x\n  trustRoots:\n  - name: default\n    key: x\n',
      'host.rekorKey: unknown field',
    ],
    [
      'an unknown field in namespacedValidation',
      '- pattern: "*:*"\n',
      '',
      'features.namespacedValidation.modes: unknown field',
    ],
    [
      'with.required naming another root than the one trustRoot selects (Connaisseur then always denies)',
      '- pattern: "*:*"\n  with:\n    required: [bob]\n',
      '',
      'policy[0].with.required',
    ],
    [
      'verifySCT: false on keyless',
      '- pattern: "*:*"\n  validator: k\n  with:\n    trustRoot: x\n    verifySCT: false\n',
      '- name: k\n  type: cosign\n  trustRoots:\n  - name: x\n    keyless:\n      issuer: https://i\n      subject: s\n',
      'certificate timestamp',
    ],
  ])('refuses %s', (_, policy, validators, message) => {
    const noMatch = message === 'denies its images' ? 'allow' : 'deny';
    const features = message.startsWith('features.')
      ? 'features:\n  namespacedValidation:\n    enabled: false\n    modes: validate\n'
      : '';
    expect(
      refusal(() => convertConnaisseur(features + values(policy, validators), { ...DENY, noMatch })).message,
    ).toContain(message);
  });

  it('reports a with option the validator type does not read (delegations on cosign)', () => {
    const c = convertConnaisseur(values('- pattern: "*:*"\n  with:\n    delegations: [alice]\n'), DENY);
    expect(c.findings).toContainEqual(
      expect.objectContaining({ kind: 'unmapped', source: 'policy[0].with.delegations' }),
    );
  });

  it('reports unmapped values outside the policy', () => {
    const c = convertConnaisseur(`kubernetes:\n  replicas: 3\n${values('- pattern: "*:*"\n')}`, DENY);
    expect(c.findings).toContainEqual(expect.objectContaining({ kind: 'unmapped', source: 'kubernetes' }));
  });
});

describe('globsOverlap', () => {
  it.each([
    ['**', 'docker.io/library/nginx', true],
    ['registry.example.com/team/**', 'registry.example.com/other/**', false],
    ['*.example.com/**', 'a.example.com/x', true],
    ['docker.io/library/redis**', 'docker.io/library/node**', false],
    ['registry.example.com/a/*', 'registry.example.com/a/b/c', false],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(globsOverlap(a, b)).toBe(expected);
  });
});
