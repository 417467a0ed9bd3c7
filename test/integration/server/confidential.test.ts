// spec.encryption and spec.placement through the real app (/validate, /mutate): real images encrypted by the
// real skopeo (ocicrypt JWE), signed by the real cosign, served by a real registry.
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { encryptImage, generateJweKeyPair, layerMediaTypes } from '../../harness/encrypted-images';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  admissionReview,
  admitThroughBoth,
  buildTestWebhook,
  cosignPolicy,
  podObject,
  postReview,
  type TestWebhook,
} from '../../harness/webhook';

jest.setTimeout(180_000);

let h: Harness;
let key: CosignKey;
let hook: TestWebhook;
const plain: Record<string, PushedImage> = {};
const enc: Record<string, PushedImage> = {};
const REPOS = ['req', 'forb', 'place', 'mut'] as const;

// withSpec appends spec fields (YAML lines, indented under spec) to a cosign policy.
const withSpec = (policy: string, ...lines: string[]): string =>
  `${policy}${lines.map((l) => `  ${l}`).join('\n')}\n`;

beforeAll(async () => {
  h = loadHarness();
  key = await generateCosignKey();
  const jwe = await generateJweKeyPair();
  for (const repo of REPOS) {
    plain[repo] = await pushRandomImage(h.referrers.host, `conf/${repo}/app`, 'plain');
    enc[repo] = await encryptImage(h.referrers.host, `conf/${repo}/app`, 'plain', 'enc', jwe);
  }
  await Promise.all(
    REPOS.flatMap((r) => [cosignSign(key, plain[r]!.ref, 'v3'), cosignSign(key, enc[r]!.ref, 'v3')]),
  );
  const host = h.referrers.host;
  const policy = (name: string) => cosignPolicy(name, [`${host}/conf/${name}/**`], key.publicKeyPem);
  hook = await buildTestWebhook(
    {
      'req.yaml': withSpec(policy('req'), 'encryption: {required: true}'),
      'forb.yaml': withSpec(policy('forb'), 'encryption: {forbidden: true}'),
      'place.yaml': withSpec(
        policy('place'),
        'placement:',
        '  when: encrypted',
        '  runtimeClassNames: [kata-qemu-tdx]',
        '  nodeSelector: {trust.example/attested: "true"}',
      ),
      'mut.yaml': withSpec(policy('mut'), 'placement: {runtimeClassNames: [kata-cc], mutate: true}'),
    },
    { insecureRegistry: [host] },
  );
});

afterAll(async () => {
  await hook?.app.close();
});

// validatePod posts a Pod running `image` (with extra spec fields) to /validate.
async function validatePod(image: string, spec: Record<string, unknown> = {}) {
  const pod = podObject({ app: image });
  Object.assign(pod.spec as Record<string, unknown>, spec);
  return postReview(hook.app, admissionReview(pod), '/validate');
}

// deployment is an apps/v1 Deployment whose pod template runs `image` with extra template spec fields.
function deployment(image: string, spec: Record<string, unknown> = {}) {
  return admissionReview(
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'team-a' },
      spec: { template: { spec: { containers: [{ name: 'app', image }], ...spec } } },
    },
    { group: 'apps' },
  );
}

const ATTESTED = { nodeSelector: { 'trust.example/attested': 'true' } };
const term = (key: string, value: string) => ({
  matchExpressions: [{ key, operator: 'In', values: [value] }],
});

test('skopeo made real ocicrypt images: every layer of :enc is +encrypted, none of :plain', async () => {
  const types = await layerMediaTypes(h.referrers.host, 'conf/req/app', enc.req!.digest);
  expect(types.length).toBeGreaterThan(0);
  expect(types.every((t) => t.endsWith('+encrypted'))).toBe(true);
  const plainTypes = await layerMediaTypes(h.referrers.host, 'conf/req/app', plain.req!.digest);
  expect(plainTypes.some((t) => t.endsWith('+encrypted'))).toBe(false);
});

describe('encryption: required', () => {
  test('admits the encrypted image', async () => {
    expect((await validatePod(enc.req!.ref)).allowed).toBe(true);
  });
  test('denies the plaintext image, counting its layers, with a hint', async () => {
    const r = await validatePod(plain.req!.ref);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain(
      `[POLICY_ENCRYPTION_REQUIRED] image ${plain.req!.ref} (${plain.req!.digest}) has 1 plaintext layer of 1; policy ClusterImagePolicy/req requires encryption: required`,
    );
    expect(r.status?.message).toContain('skopeo copy --encryption-key jwe:');
  });
});

describe('encryption: forbidden', () => {
  test('admits the plaintext image', async () => {
    expect((await validatePod(plain.forb!.ref)).allowed).toBe(true);
  });
  test('denies the encrypted image', async () => {
    const r = await validatePod(enc.forb!.ref);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('[POLICY_ENCRYPTION_FORBIDDEN]');
  });
});

describe('placement when: encrypted', () => {
  test('a plaintext image runs anywhere', async () => {
    expect((await validatePod(plain.place!.ref)).allowed).toBe(true);
  });
  test('an encrypted image without the RuntimeClass and label is denied, saying what is missing', async () => {
    const r = await validatePod(enc.place!.ref);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain(
      `image ${enc.place!.ref} is encrypted; policy ClusterImagePolicy/place requires runtimeClassName one of [kata-qemu-tdx]; the pod requests none`,
    );
    expect(r.status?.message).toContain('requires node label trust.example/attested=true');
  });
  test('an encrypted image on the confidential runtime and attested nodes is admitted', async () => {
    expect(
      (await validatePod(enc.place!.ref, { runtimeClassName: 'kata-qemu-tdx', ...ATTESTED })).allowed,
    ).toBe(true);
  });
  test('a Deployment is judged on its template: nodeSelector, every affinity term, or term 2 lacking', async () => {
    const denied = await postReview(hook.app, deployment(enc.place!.ref), '/validate');
    expect(denied.allowed).toBe(false);
    expect(denied.status?.message).toContain('spec.template.spec.containers[0].image');
    const ok = await postReview(
      hook.app,
      deployment(enc.place!.ref, { runtimeClassName: 'kata-qemu-tdx', ...ATTESTED }),
      '/validate',
    );
    expect(ok.allowed).toBe(true);
    const affinity = (terms: unknown[]) => ({
      runtimeClassName: 'kata-qemu-tdx',
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
      },
    });
    const both = [term('trust.example/attested', 'true'), term('trust.example/attested', 'true')];
    expect(
      (await postReview(hook.app, deployment(enc.place!.ref, affinity(both)), '/validate')).allowed,
    ).toBe(true);
    const lacking = [term('trust.example/attested', 'true'), term('topology.kubernetes.io/zone', 'eu-1')];
    const r = await postReview(hook.app, deployment(enc.place!.ref, affinity(lacking)), '/validate');
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('(nodeSelector lacks it; term 2 of 2 lacks it)');
  });
});

describe('placement.mutate', () => {
  test('/mutate pins the RuntimeClass and /validate admits the result', async () => {
    const image = `${h.referrers.host}/conf/mut/app:enc`;
    const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: image })));
    expect(r.allowed).toBe(true);
    const spec = (r.object as { spec: { runtimeClassName?: string; containers: { image: string }[] } }).spec;
    expect(spec.runtimeClassName).toBe('kata-cc');
    expect(spec.containers[0]?.image).toBe(`${image}@${enc.mut!.digest}`);
  });
  test('a different RuntimeClass is never overridden: the pod is denied', async () => {
    const pod = podObject({ app: `${h.referrers.host}/conf/mut/app:plain` });
    Object.assign(pod.spec as Record<string, unknown>, { runtimeClassName: 'runc' });
    const r = await admitThroughBoth(hook.app, admissionReview(pod));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('the pod requests "runc"');
  });
});
