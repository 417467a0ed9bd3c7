// The webhook end to end (minus the API server): real registries, images signed by the real cosign,
// policies from a folder, AdmissionReviews injected into the Fastify app exactly as the API server sends them.
import { MAX_ADMISSION_REVIEW_BYTES } from '../../../src/admission';
import { generateCosignKey, cosignSign, type CosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  admissionReview,
  admitThroughBoth,
  buildTestWebhook,
  patchOf,
  postReview,
  type ReviewResponse,
  cosignPolicy,
  podObject,
  type TestWebhook,
} from '../../harness/webhook';
import { startHugeManifestRegistry, startTripwire, type Tripwire } from './adversaries';

let h: Harness;
let key: CosignKey;
let hook: TestWebhook;
let signed: PushedImage;
let unsigned: PushedImage;
let legacy: PushedImage;
let locked: PushedImage;
let tripwire: Tripwire;

// review sends an AdmissionReview the way the API server does (/mutate, patch, then /validate), or to one
// endpoint when `url` is given, and checks the uid round-trips.
async function review(body: Record<string, unknown>, url?: string): Promise<ReviewResponse> {
  const out =
    url === undefined ? await admitThroughBoth(hook.app, body) : await postReview(hook.app, body, url);
  expect(out.uid).toBe((body.request as { uid: string }).uid);
  return out;
}

beforeAll(async () => {
  h = loadHarness();
  key = await generateCosignKey();
  [signed, unsigned, legacy, locked] = await Promise.all([
    pushRandomImage(h.referrers.host, 'team/app', 'signed'),
    pushRandomImage(h.referrers.host, 'team/app', 'unsigned'),
    pushRandomImage(h.distribution.host, 'team/legacy', 'v1'),
    pushRandomImage(h.referrers.host, 'locked/app', 'unsigned'),
  ]);
  await cosignSign(key, signed.ref, 'v3');
  await cosignSign(key, legacy.ref, 'legacy');
  tripwire = await startTripwire();
  hook = await buildTestWebhook(
    {
      'release.yaml': cosignPolicy(
        'release-signed',
        [`${h.referrers.host}/team/**`, `${h.distribution.host}/team/**`],
        key.publicKeyPem,
      ),
      'locked.yaml': cosignPolicy('locked', [`${h.referrers.host}/locked/**`], key.publicKeyPem, {
        breakGlassAllowed: false,
      }),
    },
    { insecureRegistry: [h.referrers.host, h.distribution.host] },
  );
});

afterAll(async () => {
  await hook?.app.close();
  await tripwire?.close();
});

describe('signed and unsigned pods', () => {
  it('admits a pod whose image carries a cosign v3 bundle signature by the policy key', async () => {
    const r = await review(admissionReview(podObject({ app: `${h.referrers.host}/team/app:signed` })));
    expect(r.status?.message).toBeUndefined();
    expect(r.allowed).toBe(true);
  });

  it('admits a pod whose image carries a legacy .sig signature on a registry without referrers', async () => {
    const r = await review(admissionReview(podObject({ app: `${h.distribution.host}/team/legacy:v1` })));
    expect(r.allowed).toBe(true);
  });

  it('denies an unsigned image naming image, digest, policy, authority, code and a hint', async () => {
    const image = `${h.referrers.host}/team/app:unsigned`;
    const r = await review(admissionReview(podObject({ app: image })));
    expect(r.allowed).toBe(false);
    expect(r.status?.code).toBe(403);
    const m = r.status?.message ?? '';
    for (const part of [
      image,
      unsigned.digest,
      'ClusterImagePolicy/release-signed',
      'release-manager',
      'VERIFY_NO_SIGNATURES',
      'hint',
    ]) {
      expect(m).toContain(part);
    }
  });
});

describe('every image field of every pod-bearing kind', () => {
  const template = (init: string, main: string): Record<string, unknown> => ({
    metadata: { labels: { app: 'x' } },
    spec: { initContainers: [{ name: 'init', image: init }], containers: [{ name: 'main', image: main }] },
  });
  const cases: [string, string, string, (t: Record<string, unknown>) => Record<string, unknown>, string][] = [
    [
      'Deployment',
      'apps',
      'spec.template.spec.initContainers[0].image',
      (t) => ({ selector: {}, template: t }),
      'v1',
    ],
    [
      'ReplicaSet',
      'apps',
      'spec.template.spec.initContainers[0].image',
      (t) => ({ selector: {}, template: t }),
      'v1',
    ],
    [
      'StatefulSet',
      'apps',
      'spec.template.spec.initContainers[0].image',
      (t) => ({ selector: {}, template: t }),
      'v1',
    ],
    [
      'DaemonSet',
      'apps',
      'spec.template.spec.initContainers[0].image',
      (t) => ({ selector: {}, template: t }),
      'v1',
    ],
    ['Job', 'batch', 'spec.template.spec.initContainers[0].image', (t) => ({ template: t }), 'v1'],
    [
      'CronJob',
      'batch',
      'spec.jobTemplate.spec.template.spec.initContainers[0].image',
      (t) => ({ schedule: '* * * * *', jobTemplate: { spec: { template: t } } }),
      'v1',
    ],
    [
      'ReplicationController',
      '',
      'spec.template.spec.initContainers[0].image',
      (t) => ({ template: t }),
      'v1',
    ],
  ];

  it.each(cases)(
    '%s: an unsigned init container is denied and named',
    async (kind, group, field, spec, version) => {
      const object = {
        apiVersion: group ? `${group}/${version}` : version,
        kind,
        metadata: { name: 'w', namespace: 'team-a' },
        spec: spec(template(`${h.referrers.host}/team/app:unsigned`, `${h.referrers.host}/team/app:signed`)),
      };
      const r = await review(admissionReview(object, { group, version }));
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toContain(field);
    },
  );

  it.each(cases)('%s: all images signed is admitted', async (kind, group, _field, spec, version) => {
    const object = {
      apiVersion: group ? `${group}/${version}` : version,
      kind,
      metadata: { name: 'w', namespace: 'team-a' },
      spec: spec(template(`${h.referrers.host}/team/app:signed`, `${h.referrers.host}/team/app:signed`)),
    };
    const r = await review(admissionReview(object, { group, version }));
    expect(r.allowed).toBe(true);
  });

  it('checks ephemeral containers added through pods/ephemeralcontainers', async () => {
    const pod = podObject({ app: `${h.referrers.host}/team/app:signed` });
    const withDebug = {
      ...pod,
      spec: {
        ...(pod.spec as object),
        ephemeralContainers: [{ name: 'debug', image: `${h.referrers.host}/team/app:unsigned` }],
      },
    };
    const r = await review(
      admissionReview(withDebug, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: pod }),
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('spec.ephemeralContainers[0].image');
  });
});

describe('break-glass', () => {
  it.each(['portcullis.dev/break-glass', 'oracle.image-policy.k8s.io/break-glass'])(
    '%s admits an unsigned image, with an audit annotation and a warning',
    async (annotation) => {
      const before = (await hook.metrics.breakGlass.get()).values.reduce((n, v) => n + v.value, 0);
      const pod = podObject(
        { app: `${h.referrers.host}/team/app:unsigned` },
        { annotations: { [annotation]: 'true', 'portcullis.dev/break-glass-reason': 'INC-1 outage' } },
      );
      const r = await review(admissionReview(pod));
      expect(r.allowed).toBe(true);
      expect(JSON.stringify(r.auditAnnotations ?? {})).toContain('break-glass');
      expect((r.warnings ?? []).join(' ')).toMatch(/break-glass/i);
      const after = (await hook.metrics.breakGlass.get()).values.reduce((n, v) => n + v.value, 0);
      expect(after).toBe(before + 1);
    },
  );

  it('is refused when the failing policy sets breakGlass.allowed: false', async () => {
    const pod = podObject(
      { app: `${h.referrers.host}/locked/app:unsigned` },
      { annotations: { 'portcullis.dev/break-glass': 'true' } },
    );
    const r = await review(admissionReview(pod));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('ClusterImagePolicy/locked');
    expect(r.status?.message).toMatch(/break-glass/i);
    expect(locked.digest).toMatch(/^sha256:/);
  });
});

describe('ungoverned images', () => {
  it('are denied under --no-match deny without a single connection to their registry', async () => {
    const image = `${tripwire.host}/elsewhere/app:1`;
    const r = await review(admissionReview(podObject({ app: image })));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain(image);
    expect(tripwire.connections()).toBe(0);
  });
});

describe('mutating webhook', () => {
  it('pins a verified Pod image to name:tag@digest with a guarded JSONPatch', async () => {
    const image = `${h.referrers.host}/team/app:signed`;
    const r = await review(admissionReview(podObject({ app: image })), '/mutate');
    expect(r.allowed).toBe(true);
    expect(r.patchType).toBe('JSONPatch');
    const ops = JSON.parse(Buffer.from(r.patch ?? '', 'base64').toString()) as {
      op: string;
      path: string;
      value: string;
    }[];
    expect(ops).toContainEqual({
      op: 'replace',
      path: '/spec/containers/0/image',
      value: `${image}@${signed.digest}`,
    });
  });

  it('pins an image that will not verify too, and does not deny (/validate does)', async () => {
    const image = `${h.referrers.host}/team/app:unsigned`;
    const r = await review(admissionReview(podObject({ app: image })), '/mutate');
    expect(r.allowed).toBe(true);
    expect(r.status).toBeUndefined();
    expect(patchOf(r)).toContainEqual({
      op: 'replace',
      path: '/spec/containers/0/image',
      value: `${image}@${unsigned.digest}`,
    });
  });

  it('adds no patch for an ungoverned image, and does not deny', async () => {
    const r = await review(admissionReview(podObject({ app: `${tripwire.host}/other/app:1` })), '/mutate');
    expect(r.allowed).toBe(true);
    expect(r.patch).toBeUndefined();
    expect(tripwire.connections()).toBe(0);
  });
});

describe('operations that need no review', () => {
  it('admits DELETE without looking at images', async () => {
    const r = await review(
      admissionReview(podObject({ app: `${tripwire.host}/x/y:1` }), { operation: 'DELETE' }),
    );
    expect(r.allowed).toBe(true);
  });

  it('admits an UPDATE that changes no image, without registry calls', async () => {
    const pod = podObject({ app: `${tripwire.host}/x/y:1` });
    const relabelled = { ...pod, metadata: { ...(pod.metadata as object), labels: { a: 'b' } } };
    const r = await review(admissionReview(relabelled, { operation: 'UPDATE', oldObject: pod }));
    expect(r.allowed).toBe(true);
    expect(tripwire.connections()).toBe(0);
  });
});

describe('bad input never crashes the server', () => {
  afterEach(async () => {
    const health = await hook.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
  });

  it('answers malformed JSON with HTTP 400', async () => {
    const res = await hook.app.inject({
      method: 'POST',
      url: '/validate',
      payload: '{"apiVersion": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'ADMISSION_MALFORMED' });
  });

  it('answers a review without a uid with HTTP 400', async () => {
    const res = await hook.app.inject({
      method: 'POST',
      url: '/validate',
      payload: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'ADMISSION_MISSING_UID' });
  });

  it('denies a review with a uid but a broken request', async () => {
    const res = await hook.app.inject({
      method: 'POST',
      url: '/validate',
      payload: {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'u1', kind: 7 },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ response: { uid: 'u1', allowed: false } });
  });

  it('refuses a body over the limit with HTTP 413', async () => {
    const res = await hook.app.inject({
      method: 'POST',
      url: '/validate',
      payload: `{"pad":"${'x'.repeat(MAX_ADMISSION_REVIEW_BYTES)}"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'ADMISSION_BODY_TOO_LARGE' });
  });

  it('denies an image reference of 10,000 characters', async () => {
    const r = await review(
      admissionReview(podObject({ app: `${h.referrers.host}/team/${'a'.repeat(10_000)}` })),
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('REFERENCE_TOO_LONG');
  });

  it('denies, within the webhook timeout, an image whose registry hangs', async () => {
    const hang = await startTripwire();
    const slow = await buildTestWebhook(
      { 'p.yaml': cosignPolicy('hang', [`${hang.host}/**`], key.publicKeyPem) },
      { insecureRegistry: [hang.host] },
    );
    try {
      const started = Date.now();
      const res = await slow.app.inject({
        method: 'POST',
        url: '/validate?timeout=3s',
        payload: admissionReview(podObject({ app: `${hang.host}/x/y:1` })),
      });
      const elapsed = Date.now() - started;
      const r = (res.json() as { response: ReviewResponse }).response;
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toMatch(/TIMEOUT|DEADLINE/);
      expect(hang.connections()).toBeGreaterThan(0);
      expect(elapsed).toBeLessThan(3000);
    } finally {
      await slow.app.close();
      await hang.close();
    }
  });

  it('denies an image whose registry serves a 1 GB manifest, reading only a few MiB of it', async () => {
    const huge = await startHugeManifestRegistry();
    const w = await buildTestWebhook(
      { 'p.yaml': cosignPolicy('huge', [`${huge.host}/**`], key.publicKeyPem) },
      { insecureRegistry: [huge.host] },
    );
    try {
      const res = await w.app.inject({
        method: 'POST',
        url: '/validate',
        payload: admissionReview(podObject({ app: `${huge.host}/x/y:1` })),
      });
      const r = (res.json() as { response: ReviewResponse }).response;
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toContain('REGISTRY_MANIFEST_TOO_LARGE');
      expect(huge.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await w.app.close();
      await huge.close();
    }
  });
});

describe('private registry', () => {
  let image: PushedImage;
  beforeAll(async () => {
    const login = { username: h.basicAuth.username, password: h.basicAuth.password };
    image = await pushRandomImage(h.basicAuth.host, 'private/app', 'v1', login);
    await cosignSign(key, image.ref, 'legacy', { host: h.basicAuth.host, ...login });
  });

  const policy = (): Record<string, string> => ({
    'p.yaml': cosignPolicy('private', [`${h.basicAuth.host}/private/**`], key.publicKeyPem),
  });

  it('verifies with pull credentials from a docker config', async () => {
    const auth = Buffer.from(`${h.basicAuth.username}:${h.basicAuth.password}`).toString('base64');
    const w = await buildTestWebhook(policy(), {
      insecureRegistry: [h.basicAuth.host],
      dockerConfig: [JSON.stringify({ auths: { [h.basicAuth.host]: { auth } } })],
    });
    try {
      const r = await admitThroughBoth(
        w.app,
        admissionReview(podObject({ app: `${h.basicAuth.host}/private/app:v1` })),
      );
      expect(r.status?.message).toBeUndefined();
      expect(r.allowed).toBe(true);
    } finally {
      await w.app.close();
    }
  });

  it('denies clearly without credentials, and never echoes a secret', async () => {
    const w = await buildTestWebhook(policy(), { insecureRegistry: [h.basicAuth.host] });
    try {
      const r = await admitThroughBoth(
        w.app,
        admissionReview(podObject({ app: `${h.basicAuth.host}/private/app:v1` })),
      );
      expect(r.allowed).toBe(false);
      expect(r.status?.message).toContain('REGISTRY_UNAUTHORIZED');
      expect(r.status?.message).toContain(h.basicAuth.host);
      expect(r.status?.message).not.toContain(h.basicAuth.password);
      expect(image.digest).toMatch(/^sha256:/);
    } finally {
      await w.app.close();
    }
  });
});
