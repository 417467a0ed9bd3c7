import { randomBytes } from 'node:crypto';
import {
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type EventsV1Api,
  type EventsV1Event,
} from '@kubernetes/client-node';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { AdmissionRequestFacts } from '../admission/admission.types';
import type { RequestEvaluation } from '../engine/evaluate-request';
import { describeApiError, withTimeout } from './errors';
import { toDecisionEvents, type DecisionEvent } from './decision-events';
import { TokenBucket } from './token-bucket';

/** Steady rate of new Events (a flood of denials must not turn into a flood of API writes). */
export const EVENTS_PER_SECOND = 5;
/** Events that may be written at once before the rate applies. */
export const EVENT_BURST = 25;
/** A repeat of the same Event (object, reason, note) within this window counts into its `series`. */
export const EVENT_SERIES_WINDOW_MS = 5 * 60_000;
/** A series' count is written back at most this often. */
export const EVENT_SERIES_PATCH_INTERVAL_MS = 30_000;
/** Distinct series remembered (the least recently repeated forgotten first). */
export const MAX_EVENT_SERIES = 1024;
/** Event writes in flight at once; beyond that, Events are dropped (and counted in a log line). */
export const MAX_PENDING_EVENT_WRITES = 32;
/** One Event write waits at most this long. */
export const EVENT_WRITE_TIMEOUT_MS = 5_000;
/** `reportingController` of every Event Portcullis writes. */
export const REPORTING_CONTROLLER = 'portcullis.dev/webhook';
/** How often a "dropped Events" warning may be logged. */
const DROP_LOG_INTERVAL_MS = 60_000;
const MAX_REPORTING_INSTANCE_CHARS = 128;
/** Event names are DNS subdomains: the part taken from the object leaves room for a unique suffix. */
const MAX_EVENT_NAME_BASE_CHARS = 200;

export type EventsApi = Pick<EventsV1Api, 'createNamespacedEvent' | 'patchNamespacedEvent'>;

interface Series {
  readonly name: string;
  readonly namespace: string;
  readonly first: number;
  count: number;
  lastWrite: number;
}

// eventName derives a valid, unique object name (DNS subdomain) from the object the Event is about.
function eventName(objectName: string, now: number): string {
  const base =
    objectName
      .toLowerCase()
      .replace(/[^a-z0-9.-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
      .slice(0, MAX_EVENT_NAME_BASE_CHARS)
      .replace(/[^a-z0-9]+$/, '') || 'portcullis';
  return `${base}.${now.toString(16)}${randomBytes(4).toString('hex')}`;
}

/**
 * Records admission decisions as Kubernetes Events through events.k8s.io/v1: the current Events API (core/v1
 * Event is the legacy view of the same objects), which has `regarding`/`related`, a required
 * reportingController/reportingInstance, and `series` for repeats; `kubectl get events` and `describe`
 * show them. Rate-limited, bounded, fire-and-forget: an Event failure never blocks or fails an admission.
 */
export class EventRecorder {
  private readonly series = new LRUCache<string, Series>({ max: MAX_EVENT_SERIES });
  private readonly bucket: TokenBucket;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly instance: string;
  private readonly now: () => number;
  private dropped = 0;
  private lastDropLog = 0;

  constructor(
    private readonly api: EventsApi,
    private readonly logger: Logger,
    options: { readonly instance: string; readonly now?: () => number },
  ) {
    this.now = options.now ?? Date.now;
    this.instance = options.instance.slice(0, MAX_REPORTING_INSTANCE_CHARS) || 'portcullis';
    this.bucket = new TokenBucket(EVENTS_PER_SECOND, EVENT_BURST, this.now);
  }

  /** The server's DecisionListener: records the decision's Events; never throws, never waits. Skips dry runs. */
  readonly onDecision = (request: AdmissionRequestFacts, evaluation: RequestEvaluation): void => {
    if (request.dryRun) return;
    try {
      for (const event of toDecisionEvents(request, evaluation)) this.record(event);
    } catch (error) {
      this.logger.warn({ code: 'KUBE_EVENT_FAILED', err: error }, 'could not build admission Events');
    }
  };

  /** Resolves once every Event write in flight has settled (tests, shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  // record writes a new Event, or counts a repeat into its series (patched at most every interval).
  private record(event: DecisionEvent): void {
    const now = this.now();
    const key = JSON.stringify([event.namespace, event.reason, event.regarding, event.note]);
    const known = this.series.get(key);
    if (known && now - known.first < EVENT_SERIES_WINDOW_MS) {
      known.count += 1;
      if (now - known.lastWrite >= EVENT_SERIES_PATCH_INTERVAL_MS && this.admit()) {
        known.lastWrite = now;
        this.track(this.patchSeries(known, now));
      }
      return;
    }
    if (!this.admit()) return;
    const name = eventName(event.regarding.name, now);
    const entry: Series = { name, namespace: event.namespace, first: now, count: 1, lastWrite: now };
    this.series.set(key, entry);
    this.track(
      this.create(event, name, now).then((ok) => {
        if (!ok && this.series.peek(key) === entry) this.series.delete(key); // retry creating on the next repeat
      }),
    );
  }

  // admit applies the rate limit and the in-flight bound, counting (and now and then logging) what is dropped.
  private admit(): boolean {
    if (this.inFlight.size < MAX_PENDING_EVENT_WRITES && this.bucket.take()) return true;
    this.dropped += 1;
    const now = this.now();
    if (now - this.lastDropLog >= DROP_LOG_INTERVAL_MS) {
      this.lastDropLog = now;
      this.logger.warn({ dropped: this.dropped }, 'admission Events rate-limited; some were not recorded');
    }
    return false;
  }

  // track remembers a write until it settles, for flush().
  private track(write: Promise<unknown>): void {
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }

  // create writes one Event; resolves false (logged) on failure.
  private async create(event: DecisionEvent, name: string, now: number): Promise<boolean> {
    const body: EventsV1Event = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: event.namespace },
      eventTime: new V1MicroTime(now),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.instance,
      action: event.action,
      reason: event.reason,
      note: event.note,
      type: event.type,
      regarding: { ...event.regarding },
      ...(event.related ? { related: { ...event.related } } : {}),
    };
    try {
      await withTimeout(
        this.api.createNamespacedEvent({ namespace: event.namespace, body }),
        EVENT_WRITE_TIMEOUT_MS,
        `create Event ${event.namespace}/${name}`,
      );
      return true;
    } catch (error) {
      this.logFailure(event.namespace, event.reason, error);
      return false;
    }
  }

  // patchSeries writes a repeat count into an existing Event.
  private async patchSeries(series: Series, now: number): Promise<void> {
    const body = { series: { count: series.count, lastObservedTime: new V1MicroTime(now) } };
    try {
      await withTimeout(
        this.api.patchNamespacedEvent(
          { name: series.name, namespace: series.namespace, body },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        ),
        EVENT_WRITE_TIMEOUT_MS,
        `update Event ${series.namespace}/${series.name}`,
      );
    } catch (error) {
      this.logFailure(series.namespace, 'series', error);
    }
  }

  // logFailure reports a failed Event write; the admission itself is unaffected.
  private logFailure(namespace: string, reason: string, error: unknown): void {
    this.logger.warn(
      { code: 'KUBE_EVENT_FAILED', namespace, event: reason, reason: describeApiError(error) },
      'could not write an admission Event (the admission is unaffected)',
    );
  }
}
