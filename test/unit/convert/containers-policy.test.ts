// `policy from-containers-policy`: real policy.json files (test/fixtures/migration/containers-policy/) convert to
// the policies below or are refused with the JSON path of the problem; scopes reach exactly the names that
// containers/image would look up under them (containers-policy.json(5), "Policy Requirements").
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  convertContainersPolicy,
  type ContainersPolicyOptions,
} from '../../../src/convert/containers-policy';
import { dockerScopeReach } from '../../../src/convert/containers-policy-scope';
import { armorPublicKeys } from '../../../src/convert/openpgp-armor';
import { compilePolicy } from '../../../src/policy/compile/compile';
import { isPolicyError } from '../../../src/policy/errors';
import { compileImageGlob } from '../../../src/reference/glob';

const DIR = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'containers-policy');
const fixture = (name: string): string => readFileSync(path.join(DIR, name), 'utf8');
const GPG_BINARY = readFileSync(path.join(DIR, 'keys', 'pubkey.gpg'));
const COSIGN_PUB = readFileSync(path.join(DIR, 'keys', 'cosign.pub'));
const LOOKASIDE = 'https://lookaside.example.com/sigstore';

// options reads every keyPath as the test key of its kind (by the name the policy gives it).
function options(noMatch: ContainersPolicyOptions['noMatch'], lookaside = true): ContainersPolicyOptions {
  return {
    noMatch,
    readKey: (file) => (file.endsWith('.pub') ? COSIGN_PUB : GPG_BINARY),
    ...(lookaside ? { lookaside: LOOKASIDE } : {}),
  };
}

// failure converts and returns the error's code and field paths.
function failure(text: string, opts: ContainersPolicyOptions): { code: string; paths: string[] } {
  try {
    convertContainersPolicy(text, opts);
  } catch (error) {
    if (isPolicyError(error)) return { code: error.code, paths: error.fieldErrors.map((e) => e.path) };
    throw error;
  }
  throw new Error('expected the conversion to fail');
}

describe('convertContainersPolicy on real policy.json files', () => {
  it('the Confidential Containers guide: the "docker.io/test/" scope matches no image, so nothing is verified', () => {
    const c = convertContainersPolicy(fixture('coco-guide.json'), options('allow'));
    expect(c.policies).toEqual([]);
    expect(c.findings).toContainEqual(
      expect.objectContaining({ kind: 'note', source: 'transports.docker["docker.io/test/"]' }),
    );
    expect(failure(fixture('coco-guide.json'), options('deny'))).toEqual({
      code: 'POLICY_CONVERT_UNMAPPABLE',
      paths: ['default'],
    });
  });

  it.each(['attestation-agent-sample-kbc-policy.json', 'image-rs-simple-signing-security-policy.json'])(
    '%s: each tag scope decides its tag alone; the repository scope excludes those tags',
    (name) => {
      const repo = 'quay.io/kata-containers/confidential-containers';
      const c = convertContainersPolicy(fixture(name), options('allow'));
      const specs = c.policies.map((p) => ({
        images: p.spec.images,
        excludeImages: p.spec.excludeImages,
        kinds: p.spec.authorities.map((a) => Object.keys(a).filter((k) => k !== 'name')),
      }));
      expect(specs).toEqual([
        {
          images: [{ glob: repo }, { glob: `${repo}/**` }],
          excludeImages: [
            { glob: repo, tags: ['cosign-signed'] },
            { glob: repo, tags: ['cosign-signed-key2'] },
          ],
          kinds: [['simpleSigning']],
        },
        { images: [{ glob: repo, tags: ['cosign-signed'] }], excludeImages: undefined, kinds: [['cosign']] },
        {
          images: [{ glob: repo, tags: ['cosign-signed-key2'] }],
          excludeImages: undefined,
          kinds: [['cosign']],
        },
      ]);
      for (const p of c.policies)
        compilePolicy(p, { secrets: { get: () => undefined }, defaultNamespace: 'default' });
    },
  );

  it.each(['containers-image-default-policy.json', 'man-page-allow-all.json'])(
    '%s: accept-anything converts to no policy under --no-match allow, and is refused under deny',
    (name) => {
      const c = convertContainersPolicy(fixture(name), options('allow'));
      expect(c.policies).toEqual([]);
      expect(failure(fixture(name), options('deny')).paths).toEqual(['default']);
    },
  );

  it.each(['man-page-locked-down.txt', 'podman-test-policy.json'])(
    '%s is not JSON: POLICY_CONVERT_INVALID',
    (name) => {
      expect(failure(fixture(name), options('deny')).code).toBe('POLICY_CONVERT_INVALID');
    },
  );

  it('podman image trust show --raw: a namespace admitted under a rejected host cannot be expressed', () => {
    expect(failure(fixture('podman-image-trust-show-raw.json'), options('deny')).paths).toEqual([
      'transports.docker["docker.io/library"]',
    ]);
  });

  it("containers/image's own fixture: keyType signedByGPGKeys / X509 reject (unimplemented), playground needs allow", () => {
    const f = failure(fixture('containers-image-signature-fixtures-policy.json'), options('deny'));
    expect(f.paths).toEqual(['transports.docker["example.com/playground"]']);
  });

  it("image-rs test data: keyData that is not a key is refused at the requirement's path", () => {
    const f = failure(fixture('image-rs-signature-policy.json'), options('deny'));
    expect(f.paths).toContain('transports.docker["example.com/hardened"][1]');
  });
});

describe('convertContainersPolicy mapping', () => {
  const policy = (docker: Record<string, unknown>, def: unknown = [{ type: 'reject' }]): string =>
    JSON.stringify({ default: def, transports: { docker } });

  it('sigstoreSigned and signedBy in one scope are ANDed: one policy each; the repository beats the host', () => {
    const c = convertContainersPolicy(
      policy({
        'registry.example.com': [{ type: 'reject' }],
        'registry.example.com/team/app': [
          {
            type: 'sigstoreSigned',
            keyPath: '/etc/keys/cosign.pub',
            rekorPublicKeyData: COSIGN_PUB.toString('base64'),
          },
          {
            type: 'signedBy',
            keyType: 'GPGKeys',
            keyPath: '/etc/keys/pubkey.gpg',
            signedIdentity: { type: 'matchRepository' },
          },
        ],
      }),
      options('deny'),
    );
    expect(c.policies.map((p) => p.metadata.name)).toEqual([
      'containers-policy-registry-example-com-team-app',
      'containers-policy-registry-example-com-team-app-2',
    ]);
    const [cosign, gpg] = c.policies;
    expect(cosign?.spec.images).toEqual([
      { glob: 'registry.example.com/team/app' },
      { glob: 'registry.example.com/team/app/**' },
    ]);
    expect(cosign?.spec.authorities[0]?.cosign).toEqual({
      key: { data: `${COSIGN_PUB.toString().trim()}\n` },
      tlog: { required: true, rekorKeys: [COSIGN_PUB.toString()] },
      // containers/image's default rule, kept rather than dropped.
      signedIdentity: { type: 'matchRepoDigestOrExact' },
    });
    expect(gpg?.spec.authorities[0]?.simpleSigning).toEqual({
      keys: [{ data: expect.stringContaining('-----BEGIN PGP PUBLIC KEY BLOCK-----') }],
      lookaside: LOOKASIDE,
      signedIdentity: { type: 'matchRepository' },
    });
    // The armored binary keyring compiles: the same key as the fixture's own armored export.
    for (const p of c.policies)
      compilePolicy(p, { secrets: { get: () => undefined }, defaultNamespace: 'default' });
  });

  it("sigstoreSigned signedIdentity becomes the cosign authority's, with a finding that v3 bundles do not count", () => {
    const identity = {
      type: 'remapIdentity',
      prefix: 'mirror.example.com/team',
      signedPrefix: 'quay.io/team',
    };
    const c = convertContainersPolicy(
      policy({
        'mirror.example.com/team': [
          { type: 'sigstoreSigned', keyData: COSIGN_PUB.toString('base64'), signedIdentity: identity },
        ],
      }),
      options('deny'),
    );
    const [p] = c.policies;
    expect(p?.spec.authorities[0]?.cosign?.signedIdentity).toEqual(identity);
    const finding = c.findings.find((f) => f.source.endsWith('[0].signedIdentity'));
    expect(finding?.kind).toBe('semantics');
    expect(finding?.message).toMatch(/remapIdentity.*cosign v3 bundles .* are not accepted/);
    if (p) compilePolicy(p, { secrets: { get: () => undefined }, defaultNamespace: 'default' });
  });

  it('a verifying host scope excludes a more specific accepting repository (left to --no-match allow)', () => {
    const text = policy(
      {
        'registry.example.com': [{ type: 'sigstoreSigned', keyPath: '/k/cosign.pub' }],
        'registry.example.com/public/app': [{ type: 'insecureAcceptAnything' }],
      },
      [{ type: 'insecureAcceptAnything' }],
    );
    const [host, ...rest] = convertContainersPolicy(text, options('allow')).policies;
    expect(rest).toEqual([]);
    expect(host?.spec.images).toEqual([{ glob: 'registry.example.com/**' }]);
    expect(host?.spec.excludeImages).toEqual([
      { glob: 'registry.example.com/public/app' },
      { glob: 'registry.example.com/public/app/**' },
    ]);
    expect(convertContainersPolicy(text, options('allow')).findings).toContainEqual(
      expect.objectContaining({
        kind: 'note',
        source: 'transports.docker["registry.example.com"]',
        message: expect.stringContaining('excludeImages leaves out "registry.example.com/public/app"'),
      }),
    );
  });

  it('a tag scope under a verifying repository scope with the same requirement needs no exclusion', () => {
    const key = [{ type: 'sigstoreSigned', keyPath: '/k/cosign.pub' }];
    const text = policy({ 'registry.example.com/team/app': key, 'registry.example.com/team/app:v1': key });
    const specs = convertContainersPolicy(text, options('deny')).policies.map((p) => p.spec);
    expect(specs.map((s) => s.excludeImages)).toEqual([undefined, undefined]);
    expect(specs.map((s) => s.images)).toEqual([
      [{ glob: 'registry.example.com/team/app' }, { glob: 'registry.example.com/team/app/**' }],
      [{ glob: 'registry.example.com/team/app', tags: ['v1'] }],
    ]);
  });

  it.each([
    [undefined, true],
    [{ type: 'matchExact' }, true],
    [{ type: 'matchRepository' }, false],
  ])(
    'sigstoreSigned with signedIdentity %j: a note that cosign-made signatures never match is %s',
    (id, noted) => {
      const req = { type: 'sigstoreSigned', keyPath: '/k/cosign.pub', ...(id ? { signedIdentity: id } : {}) };
      const c = convertContainersPolicy(policy({ 'registry.example.com/team': [req] }), options('deny'));
      const notes = c.findings.filter((f) => f.kind === 'note' && f.message.includes('cosign sign'));
      expect(notes.length > 0).toBe(noted);
    },
  );

  it('signedBy without --lookaside is refused: policy.json does not say where signatures live', () => {
    const text = policy({
      'quay.io/team': [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k/pubkey.gpg' }],
    });
    expect(failure(text, options('deny', false)).paths).toEqual(['transports.docker["quay.io/team"][0]']);
  });

  it.each([
    [{ default: [{ type: ' insecureAcceptAnything' }] }, 'default[0].type'],
    [
      {
        default: [{ type: 'reject' }],
        transports: { docker: { 'quay.io': [{ type: 'sigstoreSigned', ' keyPath': '/k' }] } },
      },
      'transports.docker["quay.io"][0]." keyPath"',
    ],
    [{ default: [{ type: 'reject' }], ' transports': {} }, '" transports"'],
    [{ transports: {} }, 'default'],
    [{ default: [] }, 'default'],
    [
      {
        default: [
          { type: 'signedBy', keyType: 'GPGKeys', keyPath: '/k', signedIdentity: { type: ' matchExact' } },
        ],
      },
      'default[0].signedIdentity.type',
    ],
  ])('stray spaces and missing parts are POLICY_CONVERT_INVALID naming the JSON path (%j)', (input, at) => {
    const f = failure(JSON.stringify(input), options('deny'));
    expect(f.code).toBe('POLICY_CONVERT_INVALID');
    expect(f.paths[0]).toBe(at);
  });
});

describe('dockerScopeReach', () => {
  // Each scope against names containers/image would (or would not) look up under it.
  it.each([
    [
      'docker.io/library/busybox',
      ['docker.io/library/busybox'],
      ['docker.io/library/busyboxes', 'docker.io/library/alpine'],
    ],
    ['docker.io/library', ['docker.io/library/busybox'], ['docker.io/other/busybox']],
    ['quay.io', ['quay.io/a/b', 'quay.io/a'], ['quay.io:443/a', 'quay.iox/a']],
    [
      '*.example.com',
      ['a.example.com/x', 'a.b.example.com/x/y', 'a.example.com:5000/x'],
      ['example.com/x', 'aexample.com/x'],
    ],
    ['localhost:5000/ns', ['localhost:5000/ns/app', 'localhost:5000/ns'], ['localhost/ns/app']],
    ['', ['docker.io/library/busybox', 'quay.io/x'], []],
  ])('%s', (scope, matches, misses) => {
    const reach = dockerScopeReach(scope);
    if (reach.kind !== 'globs') throw new Error(reach.kind);
    const hit = (name: string) => reach.globs.some((g) => compileImageGlob(g).matches(name));
    for (const name of matches) expect([name, hit(name)]).toEqual([name, true]);
    for (const name of misses) expect([name, hit(name)]).toEqual([name, false]);
  });

  it.each([
    ['docker.io/test/', 'never'],
    ['busybox', 'never'],
    ['index.docker.io/library', 'never'],
    ['hostname:5000/myns/sigstore-signed-fulcio-rekor- allows-malicious-tag-substitution', 'never'],
    ['quay.io/team/app@sha256:' + 'a'.repeat(64), 'digest'],
    ['docker.io/busybox:latest', 'never'],
    ['quay.io/team/app:-v1', 'never'],
    ['quay.io:5000/app:v1', 'globs'],
  ])('%s → %s', (scope, kind) => {
    expect(dockerScopeReach(scope).kind).toBe(kind);
  });

  it('a repository:tag scope is its repository limited to the tag, above every namespace scope', () => {
    const tagged = dockerScopeReach('quay.io/team/app:v1');
    const repo = dockerScopeReach('quay.io/team/app');
    expect(tagged).toEqual({ kind: 'globs', globs: ['quay.io/team/app'], tags: ['v1'], rank: [5, 19] });
    expect(repo.kind === 'globs' && repo.rank[0]).toBe(4);
  });
});

describe('armorPublicKeys', () => {
  it('armors a binary keyring exactly as gpg --armor --export does (body and CRC-24)', () => {
    const body = (armor: string) =>
      armor
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('-----'))
        .join('');
    const asc = readFileSync(path.join(DIR, 'keys', 'pubkey.asc'), 'utf8');
    expect(body(armorPublicKeys(GPG_BINARY))).toBe(body(asc));
  });
});
