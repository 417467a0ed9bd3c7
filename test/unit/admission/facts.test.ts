// toAdmissionFacts reads a decoded request once: whether it needs a decision, its image fields, the fields to
// judge and its pod facts.
import {
  AdmissionError,
  decodeAdmissionReview,
  toAdmissionFacts,
  type AdmissionRequestFacts,
} from '../../../src/admission';
import { countReads } from '../../harness/read-counter';
import { loadFixture } from './load-fixture';

// needsReview is the facts' answer to "does this request need a policy decision at all?".
const needsReview = (request: AdmissionRequestFacts): boolean => toAdmissionFacts(request).needsReview;

describe('toAdmissionFacts: needsReview', () => {
  const table: [string, boolean][] = [
    ['configmap', false], // not pod-bearing
    ['cronjob', true],
    ['daemonset', true],
    ['delete', false],
    ['deployment', true],
    ['job', true],
    ['pod', true],
    ['pod-ephemeralcontainers', true], // an ephemeral container was added
    ['pod-missing-images', true],
    ['replicaset', true],
    ['replicationcontroller', true],
    ['statefulset', true],
    ['update-with-image-change', true],
    ['update-without-image-change', false], // replicas and a break-glass annotation only
  ];
  it.each(table)('%s → %s', (name, expected) => {
    expect(needsReview(decodeAdmissionReview(loadFixture('valid', name)).request)).toBe(expected);
  });

  it('is false for CONNECT (exec, attach)', () => {
    const r = decodeAdmissionReview(loadFixture('valid', 'pod')).request;
    const connect: AdmissionRequestFacts = {
      ...r,
      operation: 'CONNECT',
      subResource: 'exec',
      object: { command: ['sh'] },
    };
    expect(needsReview(connect)).toBe(false);
  });

  it('is false for a status update of a Pod even when the object differs', () => {
    const r = decodeAdmissionReview(loadFixture('valid', 'update-with-image-change')).request;
    expect(needsReview({ ...r, subResource: 'status' })).toBe(false);
  });

  it('is true for an UPDATE without oldObject (review rather than skip)', () => {
    const r = decodeAdmissionReview(loadFixture('valid', 'update-without-image-change')).request;
    expect(needsReview({ ...r, oldObject: undefined })).toBe(true);
  });

  describe('an UPDATE that changes no image', () => {
    // withTemplateAnnotations sets the pod template annotations of a Deployment object.
    const withTemplateAnnotations = (object: unknown, annotations: Record<string, string>) => {
      const o = structuredClone(object) as { spec: { template: { metadata: Record<string, unknown> } } };
      o.spec.template.metadata.annotations = annotations;
      return o;
    };
    const base = decodeAdmissionReview(loadFixture('valid', 'update-without-image-change')).request;
    const update = (before: Record<string, string>, after: Record<string, string>) => ({
      ...base,
      object: withTemplateAnnotations(base.object, after),
      oldObject: withTemplateAnnotations(base.oldObject, before),
    });
    const on = { 'portcullis.dev/break-glass': 'true' };
    it.each([
      ['turns break-glass on (a planted annotation must meet allowedGroups)', true, {}, on],
      [
        'turns it on with the OKE annotation',
        true,
        { x: 'y' },
        { 'oracle.image-policy.k8s.io/break-glass': 'true' },
      ],
      ['turns a near miss into a request', true, { 'portcullis.dev/break-glass': 'True' }, on],
      ['keeps it on', false, on, { ...on, 'portcullis.dev/break-glass-reason': 'INC-1' }],
      ['turns it off', false, on, {}],
      ['sets a near miss only', false, {}, { 'portcullis.dev/break-glass': 'True' }],
    ])('%s → %s', (_name, expected, before, after) => {
      expect(needsReview(update(before, after))).toBe(expected);
    });

    it('whose old object cannot be read is reviewed', () => {
      expect(needsReview({ ...update({}, on), oldObject: { spec: 'x' } })).toBe(true);
    });
  });

  it('throws for an UPDATE whose new object is malformed', () => {
    const r = decodeAdmissionReview(loadFixture('valid', 'update-with-image-change')).request;
    expect(() => needsReview({ ...r, object: { spec: { containers: 'x' } } })).toThrowWithCode(
      'ADMISSION_MALFORMED',
      {
        instanceOf: AdmissionError,
      },
    );
  });
});

// podUpdate is an UPDATE of a Pod from `oldObject` to `object` (its subresource, if any).
function podUpdate(object: unknown, oldObject: unknown, subResource?: string): AdmissionRequestFacts {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'ns',
    operation: 'UPDATE',
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
    object,
    oldObject,
    ...(subResource === undefined ? {} : { subResource }),
  };
}

describe('toAdmissionFacts: an UPDATE is reviewed when its (field, image) multiset changes', () => {
  const spec = (containers: unknown[], initContainers: unknown[] = []) => ({
    spec: { containers, initContainers },
  });
  const a = { name: 'a', image: 'a:1' };
  const b = { name: 'b', image: 'b:1' };
  const table: [string, unknown, unknown, boolean][] = [
    ['identical', spec([a, b]), spec([a, b]), false],
    ['container renamed, same image in same place', spec([{ ...a, name: 'z' }]), spec([a]), false],
    ['other fields changed', spec([{ ...a, env: [{ name: 'X', value: '1' }] }]), spec([a]), false],
    ['image changed', spec([{ ...a, image: 'a:2' }]), spec([a]), true],
    ['containers swapped', spec([b, a]), spec([a, b]), true],
    ['container added', spec([a, b]), spec([a]), true],
    ['container removed', spec([a]), spec([a, b]), true],
    ['moved from init to main', spec([a]), spec([], [a]), true],
    ['image removed (becomes "")', spec([{ name: 'a' }]), spec([a]), true],
    ['old object unreadable', spec([a]), 'garbage', true],
    ['old object missing', spec([a]), undefined, true],
  ];
  it.each(table)('%s → %s', (_name, now, before, expected) => {
    expect(needsReview(podUpdate(now, before))).toBe(expected);
  });

  it('only looks at ephemeral containers for the ephemeralcontainers subresource', () => {
    const withEph = { spec: { containers: [{ ...a, image: 'other:1' }], ephemeralContainers: [b] } };
    const before = { spec: { containers: [a], ephemeralContainers: [b] } };
    expect(needsReview(podUpdate(withEph, before, 'ephemeralcontainers'))).toBe(false);
    expect(needsReview(podUpdate(withEph, before))).toBe(true);
  });
});

describe('toAdmissionFacts: the fields to judge, the images and the pod', () => {
  const a = { name: 'a', image: 'a:1' };
  const b = { name: 'b', image: 'b:1' };
  const pod = (containers: unknown[], annotations: Record<string, string> = {}) => ({
    metadata: { annotations },
    spec: { containers, imagePullSecrets: [{ name: 'pull' }], serviceAccountName: 'sa' },
  });
  const create = (object: unknown): AdmissionRequestFacts => ({
    ...podUpdate(object, undefined),
    operation: 'CREATE',
  });

  it('judges every image field of a CREATE and reads the pod facts from the same walk', () => {
    const facts = toAdmissionFacts(create(pod([a, b], { x: 'y' })));
    expect(facts).toMatchObject({ needsReview: true, isPod: true });
    expect(facts.images.map((u) => u.image)).toEqual(['a:1', 'b:1']);
    expect(facts.judged).toEqual(facts.images);
    expect(facts.pod).toEqual({
      annotations: { x: 'y' },
      imagePullSecrets: ['pull'],
      serviceAccountName: 'sa',
      placement: { nodeSelector: {} },
      specPointer: '/spec',
    });
  });

  it('judges only the new (field, image) pairs of an UPDATE, but lists every image', () => {
    const facts = toAdmissionFacts(podUpdate(pod([a, { ...b, image: 'b:2' }]), pod([a, b])));
    expect(facts.needsReview).toBe(true);
    expect(facts.images.map((u) => u.image)).toEqual(['a:1', 'b:2']);
    expect(facts.judged.map((u) => u.field)).toEqual(['spec.containers[1].image']);
  });

  it('judges every field of an UPDATE whose old object cannot be read', () => {
    const facts = toAdmissionFacts(podUpdate(pod([a, b]), { spec: { containers: 'x' } }));
    expect(facts.needsReview).toBe(true);
    expect(facts.judged).toEqual(facts.images);
  });

  it('judges no field of an UPDATE that only turns break-glass on, and still reviews it', () => {
    const glass = { 'portcullis.dev/break-glass': 'true' };
    const facts = toAdmissionFacts(podUpdate(pod([a], glass), pod([a])));
    expect(facts).toMatchObject({ needsReview: true, judged: [] });
    expect(facts.pod?.annotations).toEqual(glass);
  });

  it('reads nothing of a DELETE, and knows a workload template is not a Pod', () => {
    expect(toAdmissionFacts({ ...create(pod([a])), operation: 'DELETE' })).toMatchObject({
      needsReview: false,
      images: [],
      judged: [],
      pod: undefined,
    });
    const deployment = decodeAdmissionReview(loadFixture('valid', 'deployment')).request;
    expect(toAdmissionFacts(deployment)).toMatchObject({ needsReview: true, isPod: false });
  });

  it('throws for a CREATE whose pod spec cannot be read', () => {
    expect(() => toAdmissionFacts(create({ spec: { containers: 'x' } }))).toThrowWithCode(
      'ADMISSION_MALFORMED',
      {
        instanceOf: AdmissionError,
      },
    );
  });

  it.each([
    ['a CREATE', (o: unknown) => create(o), 1, 0],
    ['an UPDATE', (o: unknown, old: unknown) => podUpdate(o, old), 1, 1],
  ])('walks each object of %s once', (_name, build, newReads, oldReads) => {
    const object = countReads(pod([a, b]), 'spec');
    const oldObject = countReads(pod([a]), 'spec');
    const facts = toAdmissionFacts(build(object.value, oldObject.value));
    expect(facts.judged.length).toBeGreaterThan(0);
    expect([object.reads(), oldObject.reads()]).toEqual([newReads, oldReads]);
  });
});
