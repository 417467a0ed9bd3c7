// The Event recorder with a fake events API: what it writes, rate limits, series, dry runs, failures.
import type { EventsV1Event } from '@kubernetes/client-node';
import type { AdmissionRequestFacts } from '../../../src/admission/admission.types';
import {
  EVENT_BURST,
  EVENT_SERIES_PATCH_INTERVAL_MS,
  EVENT_SERIES_WINDOW_MS,
  EventRecorder,
  REPORTING_CONTROLLER,
  type EventsApi,
} from '../../../src/kube/event-recorder';
import { decide } from '../../../src/policy';
import { FAIL, facts, fakePolicy, request } from '../policy/helpers';
import { apiError, captureLogger, recorder } from './fakes';

const policy = fakePolicy({ name: 'release-signed' });
const denied = {
  decision: decide(request(), [facts([policy], { [policy.id]: [FAIL()] })]),
  uses: [],
  reviewed: true,
};

// pod builds a CREATE request for a pod called `name`.
function pod(name = 'app', over: Partial<AdmissionRequestFacts> = {}): AdmissionRequestFacts {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'team-a',
    operation: 'CREATE',
    name,
    userInfo: { username: 'alice', groups: [] },
    dryRun: false,
    object: { metadata: { name } },
    ...over,
  };
}

// fakeEvents answers creates and patches (or fails them), recording the calls.
function fakeEvents(fail?: Error) {
  const createNamespacedEvent = recorder(async (param: { namespace: string; body: EventsV1Event }) => {
    if (fail) throw fail;
    return param.body;
  });
  const patchNamespacedEvent = recorder(async (param: { name: string; namespace: string; body: unknown }) => {
    if (fail) throw fail;
    return param.body as EventsV1Event;
  });
  return { createNamespacedEvent, patchNamespacedEvent };
}

describe('EventRecorder', () => {
  it('writes an events.k8s.io/v1 Event about the admitted object', async () => {
    const api = fakeEvents();
    const rec = new EventRecorder(api as unknown as EventsApi, captureLogger().logger, {
      instance: 'portcullis-0',
    });
    rec.onDecision(pod('Web_App'), denied);
    await rec.flush();
    expect(api.createNamespacedEvent.calls).toHaveLength(1);
    const { namespace, body } = api.createNamespacedEvent.calls[0]?.[0] ?? { namespace: '', body: {} };
    expect(namespace).toBe('team-a');
    expect(body).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      type: 'Warning',
      reason: 'PortcullisDenied',
      action: 'Denied',
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: 'portcullis-0',
      regarding: { kind: 'Pod', name: 'Web_App', namespace: 'team-a' },
    });
    expect(body.metadata?.name).toMatch(/^web-app\.[0-9a-f]+$/);
    // MicroTime: the API server rejects eventTime without six fractional digits.
    expect(JSON.parse(JSON.stringify({ t: body.eventTime })).t).toMatch(/\.\d{6}Z$/);
  });

  it('skips dry-run requests', async () => {
    const api = fakeEvents();
    const rec = new EventRecorder(api as unknown as EventsApi, captureLogger().logger, { instance: 'i' });
    rec.onDecision(pod('app', { dryRun: true }), denied);
    await rec.flush();
    expect(api.createNamespacedEvent.calls).toHaveLength(0);
  });

  it('counts repeats into a series instead of new Events, patching at most every interval', async () => {
    let now = 1_000_000;
    const api = fakeEvents();
    const rec = new EventRecorder(api as unknown as EventsApi, captureLogger().logger, {
      instance: 'i',
      now: () => now,
    });
    rec.onDecision(pod(), denied);
    rec.onDecision(pod(), denied);
    rec.onDecision(pod(), denied);
    now += EVENT_SERIES_PATCH_INTERVAL_MS;
    rec.onDecision(pod(), denied);
    await rec.flush();
    expect(api.createNamespacedEvent.calls).toHaveLength(1);
    expect(api.patchNamespacedEvent.calls).toHaveLength(1);
    const [patch] = api.patchNamespacedEvent.calls[0] ?? [];
    expect(patch?.name).toBe(api.createNamespacedEvent.calls[0]?.[0].body.metadata?.name);
    expect(JSON.parse(JSON.stringify(patch?.body))).toMatchObject({ series: { count: 4 } });
    now += EVENT_SERIES_WINDOW_MS;
    rec.onDecision(pod(), denied);
    await rec.flush();
    expect(api.createNamespacedEvent.calls).toHaveLength(2);
  });

  it('rate-limits a flood of distinct Events and says so once in the log', async () => {
    const api = fakeEvents();
    const { logger, lines } = captureLogger();
    const rec = new EventRecorder(api as unknown as EventsApi, logger, {
      instance: 'i',
      now: () => 5_000_000,
    });
    for (let i = 0; i < EVENT_BURST + 20; i++) rec.onDecision(pod(`p${i}`), denied);
    await rec.flush();
    expect(api.createNamespacedEvent.calls).toHaveLength(EVENT_BURST);
    expect(lines().filter((l) => l.includes('rate-limited'))).toHaveLength(1);
  });

  it('never throws or rejects when the API refuses, and retries creating on the next repeat', async () => {
    const api = fakeEvents(apiError(403, 'events is forbidden'));
    const { logger, lines } = captureLogger();
    const rec = new EventRecorder(api as unknown as EventsApi, logger, { instance: 'i' });
    expect(() => rec.onDecision(pod(), denied)).not.toThrow();
    await rec.flush();
    rec.onDecision(pod(), denied);
    await rec.flush();
    expect(api.createNamespacedEvent.calls).toHaveLength(2);
    const failures = lines().filter((l) => l.includes('KUBE_EVENT_FAILED'));
    expect(failures).toHaveLength(2);
    expect(failures[0]).toContain('HTTP 403: events is forbidden');
  });

  it('survives a malformed evaluation without throwing', () => {
    const api = fakeEvents();
    const rec = new EventRecorder(api as unknown as EventsApi, captureLogger().logger, { instance: 'i' });
    const broken = { decision: null, uses: [], reviewed: true } as unknown as typeof denied;
    expect(() => rec.onDecision(pod(), broken)).not.toThrow();
  });
});
