import {
  buildPinningPatch,
  decodeAdmissionReview,
  extractImages,
  MAX_PINNABLE_REFERENCE_CHARS,
  toAdmissionReview,
  toPinnedReference,
  type JsonPatchOp,
} from '../../../src/admission';
import type { Decision } from '../../../src/policy/decide/decision.types';
import { applyPatch } from '../../harness/json-patch';
import { loadFixture } from './load-fixture';

const D = 'sha256:' + 'c'.repeat(64);

// verifiedFrom marks every image of a Pod fixture as verified with digest D, as the engine would.
function verifiedFrom(object: unknown): Decision['verified'] {
  return extractImages({ group: '', kind: 'Pod' }, object).map((u) => ({
    field: u.field,
    pointer: u.pointer,
    image: u.image,
    digest: D,
  }));
}

describe('toPinnedReference', () => {
  const table: [string, string, string | undefined][] = [
    ['nginx:1.25', D, `nginx:1.25@${D}`],
    ['nginx', D, `nginx@${D}`],
    ['docker.io/library/nginx:latest', D, `docker.io/library/nginx:latest@${D}`],
    ['registry.local:5000/ops/agent:v2', D, `registry.local:5000/ops/agent:v2@${D}`],
    ['localhost:5000/app', D, `localhost:5000/app@${D}`],
    ['[::1]:5000/legacy/app:0.9', D, `[::1]:5000/legacy/app:0.9@${D}`],
    ['Registry.Example.com/a__b/c-d.e:T_1', D, `Registry.Example.com/a__b/c-d.e:T_1@${D}`],
    // Already pinned, or not a reference: no op.
    [`nginx@${D}`, D, undefined],
    [`nginx:1.25@${'sha256:' + 'd'.repeat(64)}`, D, undefined],
    ['', D, undefined],
    ['NGINX:1', D, undefined],
    ['nginx:1.25 ', D, undefined],
    ['nginx:1.25\n', D, undefined],
    ['nginx:', D, undefined],
    ['nginx:1.25/x', D, undefined],
    ['nginx:' + 't'.repeat(129), D, undefined],
    ['a/'.repeat(200) + 'b', D, undefined],
    ['x'.repeat(MAX_PINNABLE_REFERENCE_CHARS + 1), D, undefined],
    // The digest itself must be a lower-case sha256.
    ['nginx:1.25', 'sha256:' + 'C'.repeat(64), undefined],
    ['nginx:1.25', 'sha512:' + 'c'.repeat(128), undefined],
    ['nginx:1.25', 'sha256:abc', undefined],
    ['nginx:1.25', `${D}/../x`, undefined],
  ];
  it.each(table)('%j + %s → %j', (original, digest, expected) => {
    expect(toPinnedReference(original, digest)).toBe(expected);
  });

  it('stays fast on pathological input', () => {
    const evil = 'a' + '-a'.repeat(250) + '!';
    const start = Date.now();
    expect(toPinnedReference(evil, D)).toBeUndefined();
    expect(Date.now() - start).toBeLessThan(200);
  });
});

describe('buildPinningPatch', () => {
  it('pins every verified image of a Pod and changes nothing else', () => {
    const object = decodeAdmissionReview(loadFixture('valid', 'pod')).request.object;
    const ops = buildPinningPatch(verifiedFrom(object));
    // proxy is already pinned: only nginx and busybox get ops.
    expect(ops).toEqual([
      { op: 'test', path: '/spec/containers/0/image', value: 'nginx:1.25' },
      { op: 'replace', path: '/spec/containers/0/image', value: `nginx:1.25@${D}` },
      { op: 'test', path: '/spec/initContainers/0/image', value: 'busybox' },
      { op: 'replace', path: '/spec/initContainers/0/image', value: `busybox@${D}` },
    ]);
    const patched = applyPatch(object, ops) as {
      spec: { containers: { image: string }[]; initContainers: { image: string }[] };
    };
    const expected = structuredClone(object) as typeof patched;
    (expected.spec.containers[0] as { image: string }).image = `nginx:1.25@${D}`;
    (expected.spec.initContainers[0] as { image: string }).image = `busybox@${D}`;
    expect(patched).toEqual(expected);
    expect(patched).not.toEqual(object);
  });

  it('pins ephemeral containers added through the subresource', () => {
    const r = decodeAdmissionReview(loadFixture('valid', 'pod-ephemeralcontainers')).request;
    const verified = extractImages(r.kind, r.object, r.subResource).map((u) => ({ ...u, digest: D }));
    const ops = buildPinningPatch(verified);
    expect(ops.map((o) => [o.op, o.path, o.value])).toEqual([
      ['test', '/spec/ephemeralContainers/0/image', 'busybox:1.36'],
      ['replace', '/spec/ephemeralContainers/0/image', `busybox:1.36@${D}`],
    ]);
    const patched = applyPatch(r.object, ops) as { spec: { ephemeralContainers: { image: string }[] } };
    expect(patched.spec.ephemeralContainers[0]?.image).toBe(`busybox:1.36@${D}`);
  });

  it('patches Pods only: pod-template pointers get no op', () => {
    const r = decodeAdmissionReview(loadFixture('valid', 'deployment')).request;
    const verified = extractImages(r.kind, r.object).map((u) => ({ ...u, digest: D }));
    expect(verified.length).toBeGreaterThan(0);
    expect(buildPinningPatch(verified)).toEqual([]);
  });

  it('skips odd pointers, duplicates and bad digests', () => {
    const v = (pointer: string, image = 'a:1', digest = D) => ({ field: 'f', pointer, image, digest });
    const ops = buildPinningPatch([
      v('/spec/containers/0/image'),
      v('/spec/containers/0/image', 'b:1'),
      v('/spec/containers/01/image'),
      v('/spec/containers/0/name'),
      v('/metadata/annotations/x'),
      v('/spec/containers/1/image', 'a:1', 'sha256:short'),
    ]);
    expect(ops).toEqual([
      { op: 'test', path: '/spec/containers/0/image', value: 'a:1' },
      { op: 'replace', path: '/spec/containers/0/image', value: `a:1@${D}` },
    ]);
  });

  it('fails the guard if another mutator changed the image first', () => {
    const object = { spec: { containers: [{ name: 'a', image: 'evil:1' }] } };
    const ops = buildPinningPatch([
      { field: 'f', pointer: '/spec/containers/0/image', image: 'nginx:1.25', digest: D },
    ]);
    expect(() => applyPatch(object, ops)).toThrow(/test failed/);
  });

  it('round-trips through the AdmissionReview answer', () => {
    const object = decodeAdmissionReview(loadFixture('valid', 'pod')).request.object;
    const ops = buildPinningPatch(verifiedFrom(object));
    const review = toAdmissionReview(
      'u1',
      {
        allowed: true,
        warnings: [],
        auditAnnotations: {},
        breakGlassUsed: false,
        verified: verifiedFrom(object),
        images: [],
      },
      ops,
    );
    const decoded = JSON.parse(
      Buffer.from(review.response.patch ?? '', 'base64').toString('utf8'),
    ) as JsonPatchOp[];
    expect(applyPatch(object, decoded)).toEqual(applyPatch(object, ops));
  });
});
