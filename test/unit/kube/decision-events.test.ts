// Building Events from decisions: which Events, their reasons, the object they are about, bounded notes.
import type { AdmissionRequestFacts } from '../../../src/admission/admission.types';
import type { RequestEvaluation } from '../../../src/engine/evaluate-request';
import { MAX_EVENT_NOTE_BYTES, toDecisionEvents, toObjectRefs } from '../../../src/kube/decision-events';
import { decide } from '../../../src/policy';
import type { Decision } from '../../../src/policy/decide/decision.types';
import { FAIL, facts, fakePolicy, OK, request } from '../policy/helpers';

// admission builds the AdmissionRequestFacts of a pod, with overrides.
function admission(
  over: Partial<AdmissionRequestFacts> = {},
  meta: Record<string, unknown> = {},
): AdmissionRequestFacts {
  return {
    uid: 'uid-1',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'team-a',
    operation: 'CREATE',
    name: 'app',
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'team-a', ...meta } },
    ...over,
  };
}

// evaluation wraps a decision as the engine returns it.
function evaluation(decision: Decision): RequestEvaluation {
  return { decision, uses: [], reviewed: true };
}

const enforce = fakePolicy({ name: 'release-signed' });
const warn = fakePolicy({ name: 'soft', mode: 'warn' });
const audit = fakePolicy({ name: 'watch', mode: 'audit' });

describe('toDecisionEvents', () => {
  const cases: { name: string; decision: Decision; reasons: string[]; action: string; note: RegExp }[] = [
    {
      name: 'a clean admission',
      decision: decide(request(), [facts([enforce], { [enforce.id]: [OK()] })]),
      reasons: [],
      action: 'Admitted',
      note: /.*/,
    },
    {
      name: 'a denial',
      decision: decide(request(), [facts([enforce], { [enforce.id]: [FAIL()] })]),
      reasons: ['PortcullisDenied'],
      action: 'Denied',
      note: /^Pod app denied \(user alice\): .*ClusterImagePolicy\/release-signed/,
    },
    {
      name: 'a warn-mode failure',
      decision: decide(request(), [facts([warn], { [warn.id]: [FAIL()] })]),
      reasons: ['PortcullisWarn'],
      action: 'Admitted',
      note: /^Pod app would be denied by warn-mode policies: registry\.example\.com\/team\/app:1\.0 \(spec\.containers\[0\]\.image\): ClusterImagePolicy\/soft/,
    },
    {
      name: 'an audit-mode failure',
      decision: decide(request(), [facts([audit], { [audit.id]: [FAIL()] })]),
      reasons: ['PortcullisAudit'],
      action: 'Admitted',
      note: /^Pod app fails audit-mode policies: .*ClusterImagePolicy\/watch/,
    },
    {
      name: 'a break-glass use',
      decision: decide(request({ breakGlassRequested: true, breakGlassReason: 'INC-42 hotfix' }), [
        facts([enforce], { [enforce.id]: [FAIL()] }),
      ]),
      reasons: ['PortcullisBreakGlass'],
      action: 'Admitted',
      note: /^break-glass used by alice \(reason: INC-42 hotfix\): Pod app admitted despite failing policies: registry\.example\.com\/team\/app:1\.0@sha256:ab/,
    },
    {
      name: 'a denial that also fails warn and audit policies',
      decision: decide(request(), [
        facts([enforce, warn, audit], { [enforce.id]: [FAIL()], [warn.id]: [FAIL()], [audit.id]: [FAIL()] }),
      ]),
      reasons: ['PortcullisDenied', 'PortcullisWarn', 'PortcullisAudit'],
      action: 'Denied',
      note: /denied/,
    },
  ];

  it.each(cases)('$name → $reasons', ({ decision, reasons, action, note }) => {
    const events = toDecisionEvents(admission(), evaluation(decision));
    expect(events.map((e) => e.reason)).toEqual(reasons);
    for (const e of events) {
      expect(e).toMatchObject({ type: 'Warning', action, namespace: 'team-a' });
      expect(e.regarding).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'app', namespace: 'team-a' });
      expect(Buffer.byteLength(e.note, 'utf8')).toBeLessThanOrEqual(MAX_EVENT_NOTE_BYTES);
      expect(e.note).not.toMatch(/[\n\r\t]/);
    }
    if (events[0]) expect(events[0].note).toMatch(note);
  });

  it('says "no reason given" for a break-glass without a reason', () => {
    const d = decide(request({ breakGlassRequested: true }), [facts([enforce], { [enforce.id]: [FAIL()] })]);
    const [event] = toDecisionEvents(admission(), evaluation(d));
    expect(event?.note).toContain('break-glass used by alice (no reason given)');
  });

  it('bounds a note made of attacker-controlled text', () => {
    const long = `registry.example.com/team/${'é'.repeat(3000)}\n\u0007:1`;
    const d = decide(request(), [facts([enforce], { [enforce.id]: [FAIL()] }, { image: long })]);
    const [event] = toDecisionEvents(
      admission({ userInfo: { username: 'mallory\nx', groups: [] } }),
      evaluation(d),
    );
    expect(Buffer.byteLength(event?.note ?? '', 'utf8')).toBeLessThanOrEqual(MAX_EVENT_NOTE_BYTES);
    expect(event?.note).not.toMatch(/[\u0000-\u001f]/);
    expect(event?.note.endsWith('…')).toBe(true);
  });
});

describe('toObjectRefs', () => {
  it.each([
    {
      name: 'CREATE carries no uid',
      req: admission({}, { uid: 'abc' }),
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'app', namespace: 'team-a' },
    },
    {
      name: 'UPDATE carries the uid',
      req: admission({ operation: 'UPDATE' }, { uid: 'abc' }),
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'app', namespace: 'team-a', uid: 'abc' },
    },
    {
      name: 'a grouped kind',
      req: admission({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, name: 'web' }),
      regarding: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'team-a' },
    },
    {
      name: 'a controller-created pod is named by its generateName',
      req: {
        ...admission({ name: undefined }),
        object: { metadata: { generateName: 'web-5d8f-', namespace: 'team-a' } },
      },
      regarding: { apiVersion: 'v1', kind: 'Pod', name: 'web-5d8f-', namespace: 'team-a' },
    },
  ])('$name', ({ req, regarding }) => {
    expect(toObjectRefs(req).regarding).toEqual(regarding);
  });

  it('relates the event to the controller owner', () => {
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-5d8f',
      uid: 'u-rs',
      controller: true,
    };
    const refs = toObjectRefs(admission({}, { ownerReferences: [{ kind: 'X', name: 'y' }, owner] }));
    expect(refs.related).toEqual({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      name: 'web-5d8f',
      namespace: 'team-a',
      uid: 'u-rs',
    });
  });

  it('ignores owner references that are not the controller or are malformed', () => {
    const refs = toObjectRefs(
      admission({}, { ownerReferences: [{ kind: 'X', name: 'y' }, 'junk', { controller: true }] }),
    );
    expect(refs.related).toBeUndefined();
  });
});
