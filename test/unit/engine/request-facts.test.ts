// toRequestFacts: which annotation values request break-glass, the raw reason handed to the decision, the
// webhook's break-glass settings, and the policies governing every image of the object.
import { toAdmissionFacts } from '../../../src/admission';
import type { AdmissionFacts } from '../../../src/admission/admission.types';
import { toRequestFacts } from '../../../src/engine/request-facts';
import type { selectPolicies } from '../../../src/policy/decide/match';
import { DEFAULT_BREAK_GLASS_SETTINGS } from '../../../src/policy/decide/break-glass';
import { fakePolicy } from '../policy/helpers';

// deploymentBy reads a Deployment CREATE whose template carries `annotations` into its admission facts.
function deploymentBy(
  annotations: Record<string, string>,
  images: string[] = ['registry.example.com/team/app:1.0'],
): AdmissionFacts {
  return toAdmissionFacts({
    uid: 'u1',
    kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
    namespace: 'team-a',
    operation: 'CREATE',
    userInfo: { username: 'bob', groups: ['dev'] },
    dryRun: false,
    object: {
      metadata: { name: 'web' },
      spec: {
        template: {
          metadata: { annotations },
          spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
        },
      },
    },
  });
}

const CONTEXT = { noMatch: 'deny' as const };

describe('toRequestFacts: the break-glass annotation value', () => {
  test.each([
    ['portcullis.dev/break-glass', 'true'],
    ['oracle.image-policy.k8s.io/break-glass', 'true'],
  ])('%s: "true" requests break-glass', (annotation, value) => {
    const request = deploymentBy({ [annotation]: value });
    const facts = toRequestFacts(request, CONTEXT);
    expect(facts).toMatchObject({ breakGlassRequested: true, breakGlassAnnotation: annotation });
    expect(facts.breakGlassNearMiss).toBeUndefined();
  });

  test.each([' TRUE ', 'True', 'TRUE', 'true ', ' true', 'yes', '1', ''])(
    '%j is not a request, and is reported as a near miss',
    (value) => {
      const annotations = { 'portcullis.dev/break-glass': value };
      const facts = toRequestFacts(deploymentBy(annotations), CONTEXT);
      expect(facts.breakGlassRequested).toBe(false);
      expect(facts.breakGlassAnnotation).toBeUndefined();
      expect(facts.breakGlassNearMiss).toEqual({ annotation: 'portcullis.dev/break-glass', value });
    },
  );

  test('"false" and an absent annotation are neither a request nor a near miss', () => {
    const cases: Record<string, string>[] = [{ 'portcullis.dev/break-glass': 'false' }, {}];
    for (const annotations of cases) {
      const facts = toRequestFacts(deploymentBy(annotations), CONTEXT);
      expect(facts.breakGlassRequested).toBe(false);
      expect(facts.breakGlassNearMiss).toBeUndefined();
    }
  });

  test('the reason reaches the decision unchanged (the decision judges and cleans it)', () => {
    const reason = ` ${'r'.repeat(400)}\u200b `;
    const annotations = { 'portcullis.dev/break-glass': 'true', 'portcullis.dev/break-glass-reason': reason };
    const facts = toRequestFacts(deploymentBy(annotations), CONTEXT);
    expect(facts.breakGlassReason).toBe(reason);
  });
});

describe('toRequestFacts: break-glass settings and governing policies', () => {
  test('the default settings apply when none are given; given ones pass through', () => {
    const request = deploymentBy({});
    expect(toRequestFacts(request, CONTEXT).breakGlassSettings).toEqual(DEFAULT_BREAK_GLASS_SETTINGS);
    const breakGlass = { trustedControllers: ['my-operator'], ungoverned: 'deny' as const };
    expect(toRequestFacts(request, { ...CONTEXT, breakGlass }).breakGlassSettings).toBe(breakGlass);
  });

  test('a break-glass request lists the policies governing every image of the object, live or broken', () => {
    const team = fakePolicy({ name: 'team', globs: ['registry.example.com/team/**'] });
    const other = fakePolicy({ name: 'other', globs: ['quay.io/**'] });
    const broken = fakePolicy({ name: 'broken', globs: ['registry.example.com/base/**'] });
    const snapshot = {
      policies: [team, other],
      broken: [{ policy: broken, code: 'POLICY_NOT_READY', reason: 'bad key' }],
    };
    const annotations = { 'portcullis.dev/break-glass': 'true' };
    const request = deploymentBy(annotations, [
      'registry.example.com/team/app:1.0',
      'registry.example.com/base/tools:2',
      'Not A Reference',
      'registry.example.com/team/sidecar:3', // governed by team again: listed once
    ]);
    // The policies here have no namespaceSelector: the labels are never read.
    const namespaceLabels = {} as Parameters<typeof selectPolicies>[3];
    const facts = toRequestFacts(request, { ...CONTEXT, snapshot, namespaceLabels });
    expect(facts.breakGlassPolicies?.map((p) => p.id)).toEqual([team.id, broken.id]);
    const none = toRequestFacts(deploymentBy({}), { ...CONTEXT, snapshot, namespaceLabels });
    expect(none.breakGlassPolicies).toBeUndefined();
  });
});

describe('toRequestFacts: the object named', () => {
  test("is the object's own name, else the request's (a Pod named by generateName has none yet)", () => {
    expect(toRequestFacts(deploymentBy({}), CONTEXT).objectName).toBe('web');
    const unnamed = deploymentBy({});
    const object = { ...(unnamed.request.object as Record<string, unknown>), metadata: {} };
    const byRequest = toAdmissionFacts({ ...unnamed.request, object, name: 'web-x1' });
    expect(toRequestFacts(byRequest, CONTEXT).objectName).toBe('web-x1');
    expect(toRequestFacts(toAdmissionFacts({ ...unnamed.request, object }), CONTEXT).objectName).toBe('');
  });

  test('a request whose objects are not read (DELETE) has no annotations, so no break-glass', () => {
    const deleted = toAdmissionFacts({ ...deploymentBy({}).request, operation: 'DELETE' });
    expect(deleted.pod).toBeUndefined();
    expect(toRequestFacts(deleted, CONTEXT)).toMatchObject({ breakGlassRequested: false, objectName: 'web' });
  });
});
