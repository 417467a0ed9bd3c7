// /mutate's half of the pinning guarantee, with its I/O handed in: which image fields are resolved and pinned,
// and which are never looked up (ungoverned, already pinned, requireDigest, unchanged on UPDATE).
import { toAdmissionFacts } from '../../../src/admission';
import type { AdmissionRequestFacts } from '../../../src/admission/admission.types';
import { TtlCache } from '../../../src/ttl-cache';
import { Coalescer } from '../../../src/engine/coalesce';
import { pinRequest, type PinDeps } from '../../../src/engine/pin-request';
import type { PolicySnapshot } from '../../../src/policy-sources/snapshot';
import { silentLogger } from '../../../src/observability/logger';
import { compilePolicies } from '../../../src/policy';
import { toNamespaceLabelFacts } from '../../../src/policy/decide/namespace-labels';
import { ANONYMOUS } from '../../../src/registry';
import { RegistryError } from '../../../src/registry/errors';
import type { Descriptor, RegistryReader } from '../../../src/registry/registry.types';
import { podRequest } from '../../harness/pod-request';
import { clusterPolicy, secretsOf } from '../policy/helpers';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const GOVERNED = 'registry.example.com/team/app:1';

// fakeRegistry resolves every tag to DIGEST (or fails for `down` repositories), recording what was asked.
function fakeRegistry(down: string[] = []): RegistryReader & { asked: string[] } {
  const reg = {
    asked: [] as string[],
    async resolve(repo: { registry: string; repository: string }, reference: string): Promise<Descriptor> {
      reg.asked.push(`${repo.registry}/${repo.repository}:${reference}`);
      if (down.includes(repo.repository)) {
        throw new RegistryError('REGISTRY_UNREACHABLE', `${repo.registry} is down`);
      }
      return { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 10 };
    },
    getManifest: () => Promise.reject(new Error('not used')),
    listReferrers: () => Promise.reject(new Error('not used')),
    getBlob: () => Promise.reject(new Error('not used')),
  };
  return reg;
}

// pin runs pinRequest against `snapshot` with the fake registry.
function pin(request: AdmissionRequestFacts, snapshot: PolicySnapshot, registry: RegistryReader) {
  const deps: PinDeps = {
    registry,
    resolutions: new Coalescer<Descriptor>(),
    resolved: new TtlCache<Descriptor>(0, 1),
    logger: silentLogger(),
    now: Date.now,
  };
  return pinRequest(
    {
      facts: toAdmissionFacts(request),
      snapshot,
      deadline: Date.now() + 2_000,
      namespaceLabels: toNamespaceLabelFacts(request.namespace, {}),
      credentialsFor: async () => ({ source: ANONYMOUS, key: 'anon' }),
    },
    deps,
  );
}

const snapshot = compilePolicies([clusterPolicy()], { secrets: secretsOf() });

describe('pinRequest', () => {
  it('pins a governed tag of a Pod CREATE to the digest it resolves to', async () => {
    const reg = fakeRegistry();
    const plan = await pin(podRequest([GOVERNED]), snapshot, reg);
    expect(plan.pins).toEqual([
      {
        field: 'spec.containers[0].image',
        pointer: '/spec/containers/0/image',
        image: GOVERNED,
        digest: DIGEST,
      },
    ]);
    expect(plan.failures).toEqual([]);
  });

  it.each([
    ['an ungoverned image', 'docker.io/library/busybox:1'],
    ['an image already pinned', `${GOVERNED}@${DIGEST}`],
    ['an image that does not parse', 'Not A Reference'],
  ])('never looks up %s', async (_what, image) => {
    const reg = fakeRegistry();
    const plan = await pin(podRequest([image]), snapshot, reg);
    expect(plan.pins).toEqual([]);
    expect(reg.asked).toEqual([]);
  });

  it('leaves a requireDigest image alone without contacting the registry (validation denies it)', async () => {
    const reg = fakeRegistry();
    const strict = compilePolicies([clusterPolicy({ requireDigest: true })], { secrets: secretsOf() });
    const plan = await pin(podRequest([GOVERNED]), strict, reg);
    expect(plan.pins).toEqual([]);
    expect(reg.asked).toEqual([]);
  });

  it('on UPDATE resolves only the image that changed', async () => {
    const reg = fakeRegistry();
    const kept = `${GOVERNED}@${DIGEST}`;
    const changed = 'registry.example.com/team/app:2';
    const request = podRequest([kept, changed], { operation: 'UPDATE', oldImages: [kept, GOVERNED] });
    const plan = await pin(request, snapshot, reg);
    expect(plan.pins.map((p) => p.pointer)).toEqual(['/spec/containers/1/image']);
    expect(reg.asked).toEqual(['registry.example.com/team/app:2']);
  });

  it('reports a registry failure instead of throwing, and pins nothing for that image', async () => {
    const reg = fakeRegistry(['team/down']);
    const plan = await pin(podRequest(['registry.example.com/team/down:1', GOVERNED]), snapshot, reg);
    expect(plan.pins.map((p) => p.image)).toEqual([GOVERNED]);
    expect(plan.failures).toEqual([
      expect.objectContaining({ image: 'registry.example.com/team/down:1', code: 'REGISTRY_UNREACHABLE' }),
    ]);
  });

  it.each([
    [
      'a Deployment (templates keep their tags)',
      {
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
        object: { spec: { template: { spec: { containers: [{ name: 'c', image: GOVERNED }] } } } },
      },
    ],
    ['a DELETE', { operation: 'DELETE' as const }],
  ])('pins nothing for %s', async (_what, extra) => {
    const reg = fakeRegistry();
    const plan = await pin(podRequest([GOVERNED], extra), snapshot, reg);
    expect(plan.pins).toEqual([]);
    expect(reg.asked).toEqual([]);
  });
});
