// A tag-limited exclusion takes a policy off a `repo:tag@digest` image only while the registry says the tag
// names that digest (src/engine/tag-binding.ts): otherwise the tag is decoration that would choose policies.
import { evaluateRequest } from '../../../src/engine/evaluate-request';
import { compilePolicies } from '../../../src/policy';
import type { Descriptor, RegistryReader } from '../../../src/registry/registry.types';
import { VerifyError } from '../../../src/verifiers/errors';
import { RegistryError } from '../../../src/registry/errors';
import { clusterPolicy, PEM, secretsOf } from '../policy/helpers';
import { countingRegistry, deps, DIGEST, input, pass, podRequest, type VerifyFn } from './engine-fixtures';

const REPO = 'registry.example.com/team/app';
const OTHER = `sha256:${'ef'.repeat(32)}`;
const snapshot = compilePolicies(
  [
    clusterPolicy(
      {
        images: [{ glob: REPO }],
        excludeImages: [{ glob: REPO, tags: ['cosign-signed'] }],
        authorities: [{ name: 'gpg', cosign: { key: { data: PEM } } }],
      },
      'repository',
    ),
    clusterPolicy(
      {
        images: [{ glob: REPO, tags: ['cosign-signed'] }],
        authorities: [{ name: 'cosign', cosign: { key: { data: PEM } } }],
      },
      'tag',
    ),
  ],
  { secrets: secretsOf() },
);

// onlyCosign passes the `cosign` authority and fails every other: the image carries that signature only.
const onlyCosign: VerifyFn = async (target, authority, ctx) => {
  if (authority.name !== 'cosign') throw new VerifyError('VERIFY_NO_SIGNATURES', 'no signatures');
  return pass(target, authority, ctx);
};

// judge evaluates one pod with `image` against the two policies.
async function judge(image: string, registry: RegistryReader = countingRegistry()) {
  const result = await evaluateRequest(input(podRequest([image]), snapshot), deps(registry, onlyCosign));
  return {
    allowed: result.decision.allowed,
    message: result.decision.message ?? '',
    decision: result.decision,
  };
}

describe('tag binding of excludeImages', () => {
  it('a tag-only reference is judged by the tag policy alone', async () => {
    expect((await judge(`${REPO}:cosign-signed`)).allowed).toBe(true);
  });

  it('tag and digest, the tag naming that digest now: the exclusion applies', async () => {
    const reg = countingRegistry();
    expect((await judge(`${REPO}:cosign-signed@${DIGEST}`, reg)).allowed).toBe(true);
    expect(reg.resolves).toBeGreaterThan(0);
  });

  it('tag and digest, the tag naming another digest: both policies judge, and the denial says why', async () => {
    const r = await judge(`${REPO}:cosign-signed@${OTHER}`, digestAware());
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('ClusterImagePolicy/repository');
    expect(r.message).toContain(
      `its excludeImages entry for tag "cosign-signed" did not apply: the tag names ${DIGEST.slice(0, 19)}…, not this digest`,
    );
  });

  it('tag and digest, the tag not resolvable: the exclusion does not apply (fail closed)', async () => {
    const down = digestAware(new RegistryError('REGISTRY_UNREACHABLE', 'connection refused'));
    const r = await judge(`${REPO}:cosign-signed@${OTHER}`, down);
    expect(r.allowed).toBe(false);
    expect(r.message).toContain(
      'its excludeImages entry for tag "cosign-signed" did not apply: the tag did not resolve ([REGISTRY_UNREACHABLE]',
    );
  });

  it('the proof is a cached resolution: within --tag-ttl a pinned reference costs no second lookup', async () => {
    const reg = digestAware();
    const d = deps(reg, onlyCosign, Date.now, 30_000);
    const req = podRequest([`${REPO}:cosign-signed@${DIGEST}`]);
    const first = await evaluateRequest(input(req, snapshot), d);
    const second = await evaluateRequest(input(req, snapshot), d);
    expect([first.decision.allowed, second.decision.allowed, reg.tagResolves]).toEqual([true, true, 1]);
  });

  it('a digest-only reference names no tag: the repository policy judges it', async () => {
    const r = await judge(`${REPO}@${DIGEST}`);
    expect(r.allowed).toBe(false);
    expect(r.message).toContain('ClusterImagePolicy/repository');
  });

  it('another tag is judged by the repository policy alone, without resolving any tag', async () => {
    const reg = digestAware();
    const r = await judge(`${REPO}:v1@${OTHER}`, reg);
    expect(r.allowed).toBe(false);
    expect(reg.tagResolves).toBe(0);
  });
});

// digestAware answers a digest with itself and a tag with DIGEST (or fails tags with `tagError`).
function digestAware(tagError?: Error): RegistryReader & { tagResolves: number } {
  const base = countingRegistry(0);
  const reg = {
    ...base,
    tagResolves: 0,
    async resolve(_repo: unknown, reference: string): Promise<Descriptor> {
      const mediaType = 'application/vnd.oci.image.manifest.v1+json';
      if (reference.startsWith('sha256:')) return { mediaType, digest: reference, size: 100 };
      reg.tagResolves += 1;
      if (tagError) throw tagError;
      return { mediaType, digest: DIGEST, size: 100 };
    },
  };
  return reg;
}
