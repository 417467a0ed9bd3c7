// Tag-limited policies through the webhook (docs/policy.md#tags-and-exclusions): the repository needs key A,
// except its tag `edge`, which needs key B alone. /mutate pins `app:edge` under the tag's policy and /validate
// proves the pinned tag against the registry before it lets the exclusion apply. Real registry, real cosign.
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  admissionReview,
  admitThroughBoth,
  buildTestWebhook,
  podObject,
  postReview,
  type TestWebhook,
} from '../../harness/webhook';

const h = loadHarness();
const repo = `${h.referrers.host}/tags/app`;
let hook: TestWebhook;
let edge: PushedImage;
let stable: PushedImage;
let oldEdge: PushedImage;

// policy writes a ClusterImagePolicy with one cosign key and the given images / excludeImages lines.
function policy(name: string, key: CosignKey, images: string[]): string {
  const pem = key.publicKeyPem.trimEnd().replace(/^/gm, '            ');
  return [
    'apiVersion: portcullis.dev/v1alpha1',
    'kind: ClusterImagePolicy',
    `metadata: {name: ${name}}`,
    'spec:',
    ...images.map((l) => `  ${l}`),
    '  authorities:',
    `    - name: ${name}-key`,
    '      cosign:',
    '        key:',
    '          data: |',
    pem,
    '',
  ].join('\n');
}

beforeAll(async () => {
  const [a, b] = await Promise.all([generateCosignKey(), generateCosignKey()]);
  // An older build of edge, signed with key B, whose tag has since moved on (pushed first, then retagged).
  oldEdge = await pushRandomImage(h.referrers.host, 'tags/app', 'edge');
  [edge, stable] = await Promise.all([
    pushRandomImage(h.referrers.host, 'tags/app', 'edge'),
    pushRandomImage(h.referrers.host, 'tags/app', 'stable'),
  ]);
  await Promise.all([
    cosignSign(b, edge.ref, 'v3'),
    cosignSign(b, oldEdge.ref, 'v3'),
    cosignSign(a, stable.ref, 'v3'),
  ]);
  hook = await buildTestWebhook(
    {
      'repository.yaml': policy('repository', a, [
        `images: [{glob: "${repo}"}]`,
        `excludeImages: [{glob: "${repo}", tags: [edge]}]`,
      ]),
      'edge.yaml': policy('edge', b, [`images: [{glob: "${repo}", tags: [edge]}]`]),
    },
    { insecureRegistry: [h.referrers.host] },
  );
});

afterAll(async () => {
  await hook?.app.close();
});

// imageOf reads the first container's image of a (patched) Pod.
function imageOf(pod: unknown): string {
  return (pod as { spec: { containers: { image: string }[] } }).spec.containers[0]?.image ?? '';
}

describe('tag-limited policies through /mutate and /validate', () => {
  it('pins app:edge and admits it on key B alone', async () => {
    const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: `${repo}:edge` })));
    expect(imageOf(r.object)).toBe(`${repo}:edge@${edge.digest}`);
    expect([r.allowed, r.status?.message]).toEqual([true, undefined]);
  });

  it('judges another tag by the repository policy (key A)', async () => {
    const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: `${repo}:stable` })));
    expect(r.allowed).toBe(true);
  });

  it('denies the edge tag written next to the stable digest: the tag adds the edge policy, which key B must pass', async () => {
    const pod = podObject({ app: `${repo}:edge@${stable.digest}` });
    const r = await postReview(hook.app, admissionReview(pod), '/validate');
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('policy ClusterImagePolicy/edge');
  });

  it('denies an old edge build pinned by hand: the tag names another digest now, so key A is needed too', async () => {
    const pod = podObject({ app: `${repo}:edge@${oldEdge.digest}` });
    const r = await postReview(hook.app, admissionReview(pod), '/validate');
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('policy ClusterImagePolicy/repository');
    expect(r.status?.message).not.toContain('policy ClusterImagePolicy/edge');
    expect(r.status?.message).toContain(
      `its excludeImages entry for tag "edge" did not apply: the tag names ${edge.digest.slice(0, 19)}…, not this digest`,
    );
  });

  it('denies a digest-only reference of the edge build: no tag, so the repository policy judges it', async () => {
    const pod = podObject({ app: `${repo}@${edge.digest}` });
    const r = await postReview(hook.app, admissionReview(pod), '/validate');
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('policy ClusterImagePolicy/repository');
  });
});
