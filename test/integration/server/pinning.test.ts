// The pinning guarantee (docs/policy.md): every container of every admitted Pod runs a digest that Portcullis
// verified. /mutate pins governed images of Pod CREATE, Pod UPDATE and pods/ephemeralcontainers; /validate
// denies a governed image in a Pod that is not pinned. Real registries and the real cosign.
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  admissionReview,
  admitThroughBoth,
  buildTestWebhook,
  cosignPolicy,
  patchOf,
  podObject,
  postReview,
  type TestWebhook,
} from '../../harness/webhook';
import { applyPatch } from '../../harness/json-patch';
import { startFlakyProxy, type FlakyProxy } from '../../harness/flaky-proxy';
import { startTripwire, type Tripwire } from './adversaries';

let h: Harness;
let key: CosignKey;
let hook: TestWebhook;
let signed: PushedImage;
let other: PushedImage;
let unsigned: PushedImage;
let flaky: FlakyProxy;
let tripwire: Tripwire;

beforeAll(async () => {
  h = loadHarness();
  key = await generateCosignKey();
  [signed, other, unsigned] = await Promise.all([
    pushRandomImage(h.referrers.host, 'pin/app', 'signed'),
    pushRandomImage(h.referrers.host, 'pin/app', 'other'),
    pushRandomImage(h.referrers.host, 'pin/app', 'unsigned'),
  ]);
  await Promise.all([cosignSign(key, signed.ref, 'v3'), cosignSign(key, other.ref, 'v3')]);
  flaky = await startFlakyProxy(h.referrers.host);
  tripwire = await startTripwire();
  hook = await buildTestWebhook(
    {
      'pin.yaml': cosignPolicy(
        'pin-signed',
        [`${h.referrers.host}/pin/**`, `${flaky.host}/pin/**`],
        key.publicKeyPem,
      ),
      'digest.yaml': cosignPolicy('digest-only', [`${tripwire.host}/**`], key.publicKeyPem, {
        requireDigest: true,
      }),
    },
    { insecureRegistry: [h.referrers.host, flaky.host, tripwire.host] },
  );
});

afterAll(async () => {
  await hook?.app.close();
  await flaky?.close();
  await tripwire?.close();
});

// containerImage reads one image field of a stored Pod.
function imageAt(object: unknown, list: string, index: number): string {
  const spec = (object as { spec: Record<string, { image: string }[]> }).spec;
  return (spec[list] as { image: string }[])[index]?.image ?? '';
}

describe('Pod CREATE', () => {
  it('is pinned by /mutate to name:tag@digest, and /validate admits the pinned Pod', async () => {
    const image = `${h.referrers.host}/pin/app:signed`;
    const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: image })));
    expect(r.allowed).toBe(true);
    expect(imageAt(r.object, 'containers', 0)).toBe(`${image}@${signed.digest}`);
  });

  it('is denied by /validate with ADMISSION_NOT_PINNED when it arrives by tag (no mutating webhook)', async () => {
    const image = `${h.referrers.host}/pin/app:signed`;
    const r = await postReview(hook.app, admissionReview(podObject({ app: image })), '/validate');
    expect(r.allowed).toBe(false);
    const message = r.status?.message ?? '';
    expect(message).toContain('ADMISSION_NOT_PINNED');
    expect(message).toContain(image);
    expect(message).toContain(signed.digest);
    expect(message).toContain('ClusterImagePolicy/pin-signed');
    expect(message).toMatch(/hint: .*mutating webhook/);
  });

  it('pins an unsigned image too, and /validate then denies it for its signature, not for the pin', async () => {
    const image = `${h.referrers.host}/pin/app:unsigned`;
    const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: image })));
    expect(imageAt(r.object, 'containers', 0)).toBe(`${image}@${unsigned.digest}`);
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('VERIFY_NO_SIGNATURES');
    expect(r.status?.message).not.toContain('ADMISSION_NOT_PINNED');
  });

  it('does not touch ungoverned images, and contacts no registry for them', async () => {
    const before = tripwire.connections();
    const body = admissionReview(podObject({ app: `${h.referrers.host}/pin/app:signed`, side: 'busybox:1' }));
    const r = await postReview(hook.app, body, '/mutate');
    expect(patchOf(r).map((op) => op.path)).toEqual(['/spec/containers/0/image', '/spec/containers/0/image']);
    expect(tripwire.connections()).toBe(before);
  });
});

describe('Pod UPDATE', () => {
  it('pins only the image that changed; the unchanged container is left as it runs', async () => {
    const old = podObject({
      app: `${h.referrers.host}/pin/app:signed@${signed.digest}`,
      side: `${h.referrers.host}/pin/app:signed@${signed.digest}`,
    });
    const changed = podObject({
      app: `${h.referrers.host}/pin/app:other`,
      side: `${h.referrers.host}/pin/app:signed@${signed.digest}`,
    });
    const body = admissionReview(changed, { operation: 'UPDATE', oldObject: old });
    const mutated = await postReview(hook.app, body, '/mutate');
    expect(patchOf(mutated)).toEqual([
      { op: 'test', path: '/spec/containers/0/image', value: `${h.referrers.host}/pin/app:other` },
      {
        op: 'replace',
        path: '/spec/containers/0/image',
        value: `${h.referrers.host}/pin/app:other@${other.digest}`,
      },
    ]);
    const r = await admitThroughBoth(hook.app, body);
    expect(r.allowed).toBe(true);
  });

  it('is denied when the changed image arrives at /validate by tag', async () => {
    const old = podObject({ app: `${h.referrers.host}/pin/app:signed@${signed.digest}` });
    const changed = podObject({ app: `${h.referrers.host}/pin/app:other` });
    const r = await postReview(
      hook.app,
      admissionReview(changed, { operation: 'UPDATE', oldObject: old }),
      '/validate',
    );
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('ADMISSION_NOT_PINNED');
  });
});

describe('pods/ephemeralcontainers (kubectl debug)', () => {
  const withDebug = (debugImage?: string): Record<string, unknown> => {
    const pod = podObject({ app: `${h.referrers.host}/pin/app:signed@${signed.digest}` });
    const spec = pod.spec as Record<string, unknown>;
    if (debugImage) spec.ephemeralContainers = [{ name: 'debugger', image: debugImage }];
    return pod;
  };

  it('pins a signed debug image given by tag and admits it', async () => {
    const image = `${h.referrers.host}/pin/app:other`;
    const body = admissionReview(withDebug(image), {
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
      oldObject: withDebug(),
    });
    const r = await admitThroughBoth(hook.app, body);
    expect(r.allowed).toBe(true);
    expect(imageAt(r.object, 'ephemeralContainers', 0)).toBe(`${image}@${other.digest}`);
  });

  it('denies an unpinned debug image at /validate', async () => {
    const body = admissionReview(withDebug(`${h.referrers.host}/pin/app:other`), {
      operation: 'UPDATE',
      subResource: 'ephemeralcontainers',
      oldObject: withDebug(),
    });
    const r = await postReview(hook.app, body, '/validate');
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('ADMISSION_NOT_PINNED');
  });
});

describe('a registry that fails only while /mutate runs', () => {
  it('ends in a denial, never in an unpinned admission', async () => {
    const image = `${flaky.host}/pin/app:signed`;
    const body = admissionReview(podObject({ app: image }));
    flaky.failing = true;
    const mutated = await postReview(hook.app, body, '/mutate');
    flaky.failing = false;
    expect(flaky.failed()).toBeGreaterThan(0);
    expect(mutated.allowed).toBe(true);
    expect(patchOf(mutated)).toEqual([]);
    const request = body.request as Record<string, unknown>;
    const object = applyPatch(request.object, patchOf(mutated));
    const r = await postReview(hook.app, { ...body, request: { ...request, object } }, '/validate');
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('ADMISSION_NOT_PINNED');
  });
});

describe('requireDigest', () => {
  it('denies a tag before any registry contact, in /mutate and /validate', async () => {
    const before = tripwire.connections();
    const image = `${tripwire.host}/team/app:1`;
    const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: image })));
    expect(r.allowed).toBe(false);
    expect(r.status?.message).toContain('POLICY_DIGEST_REQUIRED');
    expect(imageAt(r.object, 'containers', 0)).toBe(image);
    expect(tripwire.connections()).toBe(before);
  });
});
