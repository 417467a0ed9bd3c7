import { compilePolicies } from '../../../../src/policy/compile/compile-set';
import { compilePolicy } from '../../../../src/policy/compile/compile';
import { PolicyError } from '../../../../src/policy/errors';
import { toPolicyStatus } from '../../../../src/policy/compile/status';
import { clusterPolicy, namespacedPolicy, PEM, publicPem, secretsOf } from '../helpers';

// compileError runs compilePolicy and returns the PolicyError it must throw.
function compileError(obj: unknown, secrets = secretsOf()): PolicyError {
  try {
    compilePolicy(obj, { secrets });
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return e as PolicyError;
  }
  throw new Error('expected compilePolicy to throw');
}

const keyRef = (ref: Record<string, unknown>) => ({
  authorities: [{ name: 'release-manager', cosign: { key: { secretRef: ref } } }],
});

describe('compilePolicy', () => {
  test.each([
    [{ onError: 'allowVerified' }, 24 * 3_600_000],
    [{ onError: 'allowVerified', maxStaleness: '30m' }, 30 * 60_000],
    [{ onError: 'allowVerified', maxStaleness: '7d' }, 7 * 86_400_000],
  ])('registry %j compiles maxStaleness to %d ms', (registry, ms) => {
    const p = compilePolicy(clusterPolicy({ registry }), { secrets: secretsOf() });
    expect(p.registry).toMatchObject({ onError: 'allowVerified', maxStalenessMs: ms });
  });

  test('compiles a ClusterImagePolicy with defaults', () => {
    const p = compilePolicy(clusterPolicy(), { secrets: secretsOf() });
    expect(p).toMatchObject({
      kind: 'ClusterImagePolicy',
      name: 'release-signed',
      id: 'ClusterImagePolicy/release-signed',
      generation: 3,
      mode: 'enforce',
      threshold: 1,
      requireDigest: false,
      breakGlass: { allowed: true, requireReason: false, allowedGroups: [] },
      registry: { credentials: [], onError: 'deny' },
    });
    expect(p.namespace).toBeUndefined();
    expect(p.namespaceSelector).toBeUndefined();
    expect(p.cacheKey).toMatch(/^ClusterImagePolicy\/release-signed@3:[0-9a-f]{16}$/);
    expect(p.authorities).toEqual([
      {
        kind: 'cosign',
        referenceBound: false,
        name: 'release-manager',
        keys: [expect.objectContaining({ type: 'ecdsa', curve: 'P-256' })],
        tlog: { required: false, rekorKeys: [] },
        attestations: [],
      },
    ]);
    expect(p.images[0]?.matches('registry.example.com/team/app')).toBe(true);
    expect(p.images[0]?.matches('registry.example.com/other/app')).toBe(false);
  });

  test('compiles an ImagePolicy with its namespace in the id, and the default namespace when absent', () => {
    expect(compilePolicy(namespacedPolicy(), { secrets: secretsOf() }).id).toBe('ImagePolicy/team-a/team');
    const p = compilePolicy(
      { ...namespacedPolicy(), metadata: { name: 'x' } },
      { secrets: secretsOf(), defaultNamespace: 'dev' },
    );
    expect(p).toMatchObject({ id: 'ImagePolicy/dev/x', namespace: 'dev' });
  });

  test('compiles the namespace selector', () => {
    const p = compilePolicy(clusterPolicy({ namespaceSelector: { matchLabels: { env: 'prod' } } }), {
      secrets: secretsOf(),
    });
    expect(p.namespaceSelector?.judge({ labels: { env: 'prod' }, complete: true })).toBe('match');
    expect(p.namespaceSelector?.judge({ labels: { env: 'dev' }, complete: true })).toBe('no-match');
  });

  test('resolves a key from a Secret; an ImagePolicy defaults to its own namespace', () => {
    const secrets = secretsOf({ 'team-a/keys': { 'cosign.pub': publicPem('ed25519') } });
    const p = compilePolicy(namespacedPolicy(keyRef({ name: 'keys', key: 'cosign.pub' })), { secrets });
    const a = p.authorities[0];
    expect(a?.kind === 'cosign' ? a.keys[0]?.type : a?.kind).toBe('ed25519');
  });

  test.each([
    [
      'missing Secret',
      secretsOf(),
      'spec.authorities[0].cosign.key.secretRef',
      'Secret portcullis/keys not found',
    ],
    [
      'missing key',
      secretsOf({ 'portcullis/keys': { other: 'x' } }),
      'spec.authorities[0].cosign.key.secretRef.key',
      'has no key "cosign.pub" (keys present: other)',
    ],
  ])('%s → POLICY_SECRET_NOT_FOUND naming the field', (_n, secrets, path, fragment) => {
    const err = compileError(
      clusterPolicy(keyRef({ name: 'keys', namespace: 'portcullis', key: 'cosign.pub' })),
      secrets,
    );
    expect(err.code).toBe('POLICY_SECRET_NOT_FOUND');
    expect(err.fieldErrors).toEqual([expect.objectContaining({ path, code: 'POLICY_SECRET_NOT_FOUND' })]);
    expect(err.message).toContain(fragment);
  });

  test('a broken key in a Secret → POLICY_KEY_INVALID naming the Secret', () => {
    const secrets = secretsOf({ 'portcullis/keys': { 'cosign.pub': 'garbage' } });
    const err = compileError(
      clusterPolicy(keyRef({ name: 'keys', namespace: 'portcullis', key: 'cosign.pub' })),
      secrets,
    );
    expect(err.code).toBe('POLICY_KEY_INVALID');
    expect(err.fieldErrors[0]?.path).toBe('spec.authorities[0].cosign.key.secretRef');
    expect(err.message).toContain('Secret portcullis/keys key "cosign.pub": not a PEM public key');
  });

  test('an identity without a subject is refused: it would admit every signer of its issuer', () => {
    const err = compileError(
      clusterPolicy({ authorities: [{ name: 'k', cosign: { keyless: { identities: [{ issuer: 'x' }] } } }] }),
    );
    expect(err.fieldErrors).toEqual([
      expect.objectContaining({
        path: 'spec.authorities[0].cosign.keyless.identities[0].subject',
        code: 'POLICY_FIELD_REQUIRED',
      }),
    ]);
  });

  test('keyless: the log is required by default, patterns are anchored at both ends', () => {
    const p = compilePolicy(
      clusterPolicy({
        authorities: [
          {
            name: 'gh',
            cosign: {
              keyless: {
                identities: [
                  {
                    issuer: 'https://token.actions.githubusercontent.com',
                    subjectRegExp: 'https://github.com/acme/.*',
                    extensions: { sourceRepositoryRef: 'refs/tags/v1' },
                  },
                ],
              },
            },
          },
        ],
      }),
      { secrets: secretsOf() },
    );
    const [authority] = p.authorities;
    if (authority?.kind !== 'cosign') throw new Error('expected a cosign authority');
    expect(authority.tlog.required).toBe(true);
    const identity = authority.keyless?.identities[0];
    expect(
      identity?.subject?.test('https://github.com/acme/app/.github/workflows/r.yml@refs/heads/main'),
    ).toBe(true);
    expect(identity?.subject?.test('https://github.com/acme-evil/app')).toBe(false);
    expect(identity?.subject?.test('x https://github.com/acme/app')).toBe(false);
    expect(identity?.extensions.map((e) => e.name)).toEqual(['sourceRepositoryRef']);
  });

  test('a broken CEL condition is refused at compile time with its position', () => {
    const err = compileError(
      clusterPolicy({
        authorities: [
          {
            name: 'a',
            cosign: {
              key: { data: PEM },
              attestations: [{ name: 'slsa', predicateType: 'p', conditions: ['predicate.x == '] }],
            },
          },
        ],
      }),
    );
    expect(err.code).toBe('POLICY_CEL_INVALID');
    expect(err.fieldErrors[0]?.path).toBe('spec.authorities[0].cosign.attestations[0].conditions[0]');
    expect(err.fieldErrors[0]?.message).toMatch(/column|position|:\d+/i);
  });

  test('several kinds of errors → POLICY_INVALID with every field error', () => {
    const err = compileError(
      clusterPolicy({ mode: 'x', authorities: [{ name: 'a', cosign: { key: { data: 'junk' } } }] }),
    );
    expect(err.code).toBe('POLICY_INVALID');
    expect(err.fieldErrors.map((e) => e.path)).toEqual(['spec.mode']);
    // key parsing happens only once the object validated; fix the mode and the key error shows
    const err2 = compileError(
      clusterPolicy({
        authorities: [
          { name: 'a', cosign: { key: { data: 'junk' } } },
          { name: 'b', cosign: { key: { data: PEM } } },
        ],
        registry: { credentials: [{ secretRef: { name: 'pull', namespace: 'ns' } }] },
      }),
    );
    expect(err2.code).toBe('POLICY_INVALID');
    expect(err2.fieldErrors.map((e) => `${e.path} ${e.code}`)).toEqual([
      'spec.authorities[0].cosign.key.data POLICY_KEY_INVALID',
      'spec.registry.credentials[0].secretRef POLICY_SECRET_NOT_FOUND',
    ]);
    expect(err2.details).toMatchObject({ policy: 'ClusterImagePolicy/release-signed', errors: 2 });
  });

  test('registry credentials resolve to dockerconfigjson; legacy .dockercfg is wrapped', () => {
    const json = JSON.stringify({ auths: { 'registry.example.com': { auth: 'dTpw' } } });
    const secrets = secretsOf({
      'ns/new': { '.dockerconfigjson': json },
      'ns/old': { '.dockercfg': '{"r.example.com":{"auth":"eDp5"}}' },
    });
    const p = compilePolicy(
      clusterPolicy({
        registry: {
          credentials: [
            { secretRef: { name: 'new', namespace: 'ns' } },
            { secretRef: { name: 'old', namespace: 'ns' } },
          ],
          onError: 'allow',
        },
      }),
      { secrets },
    );
    expect(p.registry.onError).toBe('allow');
    expect(p.registry.credentials[0]).toBe(json);
    expect(JSON.parse(p.registry.credentials[1] ?? '')).toEqual({
      auths: { 'r.example.com': { auth: 'eDp5' } },
    });
  });

  test('an unparsable docker config → POLICY_SECRET_INVALID without quoting it', () => {
    const secrets = secretsOf({ 'ns/pull': { '.dockerconfigjson': '{"auths": hunter2' } });
    const err = compileError(
      clusterPolicy({ registry: { credentials: [{ secretRef: { name: 'pull', namespace: 'ns' } }] } }),
      secrets,
    );
    expect(err.code).toBe('POLICY_SECRET_INVALID');
    expect(err.message).not.toContain('hunter2');
  });

  test('the cache key changes when a key Secret rotates at the same generation', () => {
    const obj = clusterPolicy(keyRef({ name: 'keys', namespace: 'p', key: 'k' }));
    const a = compilePolicy(obj, { secrets: secretsOf({ 'p/keys': { k: publicPem('p256') } }) });
    const b = compilePolicy(obj, { secrets: secretsOf({ 'p/keys': { k: publicPem('p256') } }) });
    expect(a.generation).toBe(b.generation);
    expect(a.cacheKey).not.toBe(b.cacheKey);
  });
});

describe('compilePolicies', () => {
  test('one broken policy does not hide the others, and is kept as a fail-closed stand-in', () => {
    const broken = clusterPolicy(
      {
        images: [{ glob: 'registry.example.com/secure/**' }, { glob: 'BAD GLOB' }],
        authorities: [{ name: 'a', cosign: { key: { data: 'junk' } } }],
      },
      'broken',
    );
    const set = compilePolicies([clusterPolicy(), broken, namespacedPolicy()], { secrets: secretsOf() });
    expect(set.policies.map((p) => p.id)).toEqual([
      'ClusterImagePolicy/release-signed',
      'ImagePolicy/team-a/team',
    ]);
    expect(set.broken).toHaveLength(1);
    const [b] = set.broken;
    expect(b?.index).toBe(1);
    expect(b?.code).toBe('POLICY_NOT_READY');
    expect(b?.error).toBeInstanceOf(PolicyError);
    expect(b?.reason).toContain('policy ClusterImagePolicy/broken failed to compile');
    expect(b?.reason).toContain('spec.images[1].glob');
    expect(b?.policy).toMatchObject({
      id: 'ClusterImagePolicy/broken',
      mode: 'enforce',
      authorities: [],
      threshold: 1,
    });
    expect(b?.policy.images.map((m) => m.glob)).toEqual(['registry.example.com/secure/**']);
  });

  test('two objects with the same id are both broken (POLICY_DUPLICATE)', () => {
    const set = compilePolicies([clusterPolicy(), clusterPolicy({ mode: 'audit' })], {
      secrets: secretsOf(),
    });
    expect(set.policies).toEqual([]);
    expect(set.broken.map((b) => b.error.code)).toEqual(['POLICY_DUPLICATE', 'POLICY_DUPLICATE']);
  });

  test.each([
    ['absent', undefined, true],
    ['readable false', { allowed: false }, false],
    ['typo (fails closed)', { alowed: true }, false],
    ['readable with groups', { allowed: true, allowedGroups: ['sre'] }, true],
  ])('a broken policy keeps break-glass when %s', (_n, breakGlass, allowed) => {
    const obj = clusterPolicy({ mode: 'nope', ...(breakGlass ? { breakGlass } : {}) });
    const [b] = compilePolicies([obj], { secrets: secretsOf() }).broken;
    expect(b?.policy.breakGlass.allowed).toBe(allowed);
  });

  test('a broken policy with an unreadable namespace selector applies to every namespace', () => {
    const obj = clusterPolicy({ mode: 'nope', namespaceSelector: { matchLabels: 'x' } });
    expect(
      compilePolicies([obj], { secrets: secretsOf() }).broken[0]?.policy.namespaceSelector,
    ).toBeUndefined();
    const ok = clusterPolicy({ mode: 'nope', namespaceSelector: { matchLabels: { env: 'prod' } } });
    expect(
      compilePolicies([ok], { secrets: secretsOf() }).broken[0]?.policy.namespaceSelector?.judge({
        labels: { env: 'dev' },
        complete: true,
      }),
    ).toBe('no-match');
  });
});

describe('toPolicyStatus', () => {
  const now = new Date('2025-01-02T03:04:05Z');
  test('Ready=True after a compile, Ready=False naming the failing key otherwise', () => {
    const ok = toPolicyStatus(3, { policy: compilePolicy(clusterPolicy(), { secrets: secretsOf() }) }, now);
    expect(ok).toEqual({
      observedGeneration: 3,
      conditions: [
        expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Compiled', observedGeneration: 3 }),
      ],
    });
    const error = compileError(
      clusterPolicy({ authorities: [{ name: 'a', cosign: { key: { data: 'junk' } } }] }),
    );
    const bad = toPolicyStatus(4, { error }, new Date('2025-02-01T00:00:00Z'), ok);
    expect(bad.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'POLICY_KEY_INVALID',
      lastTransitionTime: '2025-02-01T00:00:00.000Z',
    });
    expect(bad.conditions?.[0]?.message).toContain('spec.authorities[0].cosign.key.data');
    const again = toPolicyStatus(5, { error }, new Date('2025-03-01T00:00:00Z'), bad);
    expect(again.conditions?.[0]?.lastTransitionTime).toBe('2025-02-01T00:00:00.000Z');
  });
});
