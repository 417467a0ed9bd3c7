import {
  AdmissionError,
  decodeAdmissionReview,
  imagesChanged,
  needsReview,
  type AdmissionRequestFacts,
} from '../../../src/admission';
import { loadFixture } from './load-fixture';

describe('needsReview', () => {
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
    expect(() => needsReview({ ...r, object: { spec: { containers: 'x' } } })).toThrow(AdmissionError);
  });
});

describe('imagesChanged', () => {
  const pod = { group: '', kind: 'Pod' };
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
    expect(imagesChanged(pod, now, before)).toBe(expected);
  });

  it('only looks at ephemeral containers for the ephemeralcontainers subresource', () => {
    const withEph = { spec: { containers: [{ ...a, image: 'other:1' }], ephemeralContainers: [b] } };
    const before = { spec: { containers: [a], ephemeralContainers: [b] } };
    expect(imagesChanged(pod, withEph, before, 'ephemeralcontainers')).toBe(false);
    expect(imagesChanged(pod, withEph, before)).toBe(true);
  });
});
