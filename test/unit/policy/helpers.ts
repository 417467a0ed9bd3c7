// Shared builders for policy tests: valid policy objects, PEM keys, compiled policies and image facts.
import { generateKeyPairSync } from 'node:crypto';
import { compileImageGlob } from '../../../src/reference/glob';
import type { CompiledAuthority, CompiledPolicy } from '../../../src/policy/compile/compiled.types';
import type { AuthorityOutcome, ImageFacts, RequestFacts } from '../../../src/policy/decide/decision.types';
import type { SecretLookup } from '../../../src/policy/compile/compile';

// publicPem makes a fresh PEM public key of one kind.
export function publicPem(
  kind: 'p256' | 'p384' | 'p521' | 'rsa2048' | 'rsa3072' | 'ed25519' = 'p256',
): string {
  const curves = { p256: 'P-256', p384: 'P-384', p521: 'P-521' } as const;
  const pair =
    kind === 'rsa2048' || kind === 'rsa3072'
      ? generateKeyPairSync('rsa', { modulusLength: kind === 'rsa2048' ? 2048 : 3072 })
      : kind === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('ec', { namedCurve: curves[kind] });
  return pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export const PEM = publicPem('p256');

// clusterPolicy returns a valid ClusterImagePolicy object, with `spec` fields overridden.
export function clusterPolicy(
  spec: Record<string, unknown> = {},
  name = 'release-signed',
): Record<string, unknown> {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'ClusterImagePolicy',
    metadata: { name, generation: 3 },
    spec: {
      images: [{ glob: 'registry.example.com/team/**' }],
      authorities: [{ name: 'release-manager', cosign: { key: { data: PEM } } }],
      ...spec,
    },
  };
}

// namespacedPolicy returns a valid ImagePolicy object in `namespace`.
export function namespacedPolicy(
  spec: Record<string, unknown> = {},
  namespace = 'team-a',
  name = 'team',
): Record<string, unknown> {
  return { ...clusterPolicy(spec, name), kind: 'ImagePolicy', metadata: { name, namespace } };
}

// secretsOf builds a SecretLookup from `ns/name` → data.
export function secretsOf(map: Record<string, Record<string, string>> = {}): SecretLookup {
  return { get: (ns, name) => map[`${ns}/${name}`] };
}

// fakePolicy is a compiled policy for match/decide tests, without keys.
export function fakePolicy(
  over: Partial<CompiledPolicy> & { name?: string; globs?: string[] } = {},
): CompiledPolicy {
  const { globs = ['registry.example.com/**'], ...rest } = over;
  const kind = rest.kind ?? 'ClusterImagePolicy';
  const name = rest.name ?? 'p';
  const id =
    kind === 'ClusterImagePolicy' ? `${kind}/${name}` : `${kind}/${rest.namespace ?? 'team-a'}/${name}`;
  return {
    kind,
    name,
    generation: 1,
    id,
    cacheKey: `${id}@1`,
    mode: 'enforce',
    images: globs.map((g) => compileImageGlob(g)),
    excludeImages: [],
    requireDigest: false,
    threshold: 1,
    authorities: [keyAuthority('release-manager')],
    breakGlass: { allowed: true, requireReason: false, allowedGroups: [] },
    registry: { credentials: [], onError: 'deny', maxStalenessMs: 0 },
    encryption: 'any',
    ...rest,
  };
}

export const DIGEST = `sha256:${'ab'.repeat(32)}`;

export const OK = (authority = 'release-manager'): AuthorityOutcome => ({
  authority,
  ok: true,
  summary: 'signed',
  warnings: [],
});
export const FAIL = (authority = 'release-manager', code = 'VERIFY_NO_SIGNATURES'): AuthorityOutcome => ({
  authority,
  ok: false,
  code,
  reason: `no cosign signatures found for ${DIGEST}`,
});

// facts builds the ImageFacts of one resolved image governed by `policies`.
export function facts(
  policies: CompiledPolicy[],
  outcomes: Record<string, AuthorityOutcome[]>,
  over: Partial<ImageFacts> = {},
): ImageFacts {
  return {
    image: 'registry.example.com/team/app:1.0',
    field: 'spec.containers[0].image',
    pointer: '/spec/containers/0/image',
    normalized: 'registry.example.com/team/app:1.0',
    policies,
    digest: DIGEST,
    outcomes,
    ...over,
  };
}

// request builds request facts with sane defaults.
export function request(over: Partial<RequestFacts> = {}): RequestFacts {
  return {
    namespace: 'team-a',
    objectKind: 'Pod',
    objectName: 'app',
    breakGlassRequested: false,
    userName: 'alice',
    userGroups: ['system:authenticated'],
    noMatch: 'deny',
    ...over,
  };
}

// keyAuthority is a compiled cosign key authority named `name`, with no keys (the decision tests never verify).
export function keyAuthority(name: string): CompiledAuthority {
  return {
    kind: 'cosign',
    referenceBound: false,
    name,
    keys: [],
    tlog: { required: false, rekorKeys: [] },
    attestations: [],
  };
}
