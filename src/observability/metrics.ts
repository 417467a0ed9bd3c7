import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type LabelValues,
} from 'prom-client';
import { MAX_LABEL_VALUES } from './limits';

/** The label value that stands for every value past a label's bound. */
export const OTHER_LABEL = 'other';

/** Keeps the first MAX_LABEL_VALUES distinct values of one label; any later new value becomes `other`. */
export class LabelBudget {
  private readonly seen = new Set<string>();

  /** The value itself while it fits in the budget (or was seen before), else `other`. */
  label(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= MAX_LABEL_VALUES) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}

/**
 * The Prometheus metrics of docs/operations.md, on a registry of their own (no global state). Labels whose
 * values come from outside (a registry host a pod names, the kind and namespace of an AdmissionReview that
 * anyone reaching the webhook can forge) are bounded here, where the series are created, whoever calls.
 */
export class Metrics {
  readonly registry = new Registry();
  /**
   * The serving certificate's notAfter (`certificate="serving"`); cli/serve sets it when the pair is loaded and
   * on every reload. Labelled so that a webhook without TLS exports no series, rather than an expiry of 0.
   */
  readonly tlsCertificateExpiry = new Gauge({
    name: 'portcullis_tls_certificate_expiry_timestamp_seconds',
    help: 'When the TLS certificate in use expires (Unix time); updated on load and on rotation.',
    labelNames: ['certificate'] as const,
    registers: [this.registry],
  });
  readonly admissionRequests = boundedCounter(
    {
      name: 'portcullis_admission_requests_total',
      help: 'Admission requests by operation, kind and decision.',
      labelNames: ['operation', 'kind', 'decision'] as const,
      registers: [this.registry],
    },
    { kind: new LabelBudget() },
  );
  /** `code`: `policy` for a policy's denial, else the error code of a review that could not be judged. */
  readonly admissionDenials = boundedCounter(
    {
      name: 'portcullis_admission_denials_total',
      help: 'Denied admission reviews by code: policy, or the error code (ADMISSION_*, ENGINE_INTERNAL_ERROR, ...).',
      labelNames: ['endpoint', 'code'] as const,
      registers: [this.registry],
    },
    { code: new LabelBudget() },
  );
  /** HTTP errors of /validate and /mutate (no AdmissionReview answer at all), by status class (4xx, 5xx). */
  readonly httpErrors = new Counter({
    name: 'portcullis_http_errors_total',
    help: 'Webhook calls answered with an HTTP error instead of an AdmissionReview, by endpoint and status class.',
    labelNames: ['endpoint', 'class'] as const,
    registers: [this.registry],
  });
  readonly admissionDuration = new Histogram({
    name: 'portcullis_admission_duration_seconds',
    help: 'Time to decide an admission request.',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly verifications = new Counter({
    name: 'portcullis_verifications_total',
    help: 'Authority verifications by scheme and result.',
    labelNames: ['scheme', 'result'] as const,
    registers: [this.registry],
  });
  /** `registry` should already be a policy-named host or `other` (see registry-label.ts); bounded again here. */
  readonly registryRequests = boundedCounter(
    {
      name: 'portcullis_registry_requests_total',
      help: 'HTTP requests to registries by registry host and outcome.',
      labelNames: ['registry', 'outcome'] as const,
      registers: [this.registry],
    },
    { registry: new LabelBudget() },
  );
  readonly cacheHits = new Counter({
    name: 'portcullis_cache_hits_total',
    help: 'Verdict cache hits.',
    registers: [this.registry],
  });
  readonly staleAdmissions = new Counter({
    name: 'portcullis_stale_verdicts_used_total',
    help: 'Earlier verifications and resolutions used while the registry was unreachable (registry.onError: allowVerified).',
    labelNames: ['what'] as const,
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'portcullis_cache_misses_total',
    help: 'Verdict cache misses.',
    registers: [this.registry],
  });
  readonly breakGlass = boundedCounter(
    {
      name: 'portcullis_break_glass_total',
      help: 'Admissions granted through break-glass, by namespace.',
      labelNames: ['namespace'] as const,
      registers: [this.registry],
    },
    { namespace: new LabelBudget() },
  );
  readonly policies = new Gauge({
    name: 'portcullis_policies',
    help: 'Loaded policies by readiness.',
    labelNames: ['ready'] as const,
    registers: [this.registry],
  });
  /** `result`: updated, unchanged, or a failure (mirror_unreachable, refresh_timeout, tuf_rejected, invalid, cache_failed). */
  readonly trustedRootRefreshes = new Counter({
    name: 'portcullis_trusted_root_refreshes_total',
    help: 'Refreshes of the public-good Sigstore TrustedRoot through TUF, by result.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly trustedRootLastSuccess = new Gauge({
    name: 'portcullis_trusted_root_last_success_timestamp_seconds',
    help: 'When the public-good TrustedRoot was last fetched, verified through TUF and parsed (Unix time).',
    registers: [this.registry],
  });

  /**
   * `processMetrics` adds prom-client's process and Node.js metrics (process_cpu_seconds_total,
   * process_resident_memory_bytes, nodejs_eventloop_lag_seconds, nodejs_heap_size_used_bytes, ...). Off by
   * default: each collection starts an event-loop monitor, which `serve` wants and short-lived tests do not.
   */
  constructor(options: { readonly processMetrics?: boolean } = {}) {
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }
}

// boundedCounter makes a Counter whose inc() and labels() pass the budgeted labels through their budgets
// first. prom-client assigns `inc` per instance, so the instance's methods are wrapped, not the class's.
function boundedCounter<T extends string>(
  config: CounterConfiguration<T> & { labelNames: readonly T[] },
  budgets: Partial<Record<T, LabelBudget>>,
): Counter<T> {
  const counter = new Counter<T>(config);
  const bound = (labels: LabelValues<T>): LabelValues<T> => {
    const out: Partial<Record<T, string | number>> = { ...labels };
    for (const name of Object.keys(budgets) as T[]) {
      const value = out[name];
      if (value !== undefined) out[name] = budgets[name]?.label(String(value)) ?? value;
    }
    return out as LabelValues<T>;
  };
  const inc = counter.inc.bind(counter) as (labels?: LabelValues<T> | number, value?: number) => void;
  const labels = counter.labels.bind(counter) as (labels: LabelValues<T>) => Counter.Internal;
  counter.inc = ((first?: LabelValues<T> | number, value?: number): void =>
    typeof first === 'object' ? inc(bound(first), value) : inc(first)) as Counter<T>['inc'];
  counter.labels = ((...args: (string | LabelValues<T>)[]): Counter.Internal => {
    const [first] = args;
    const named =
      typeof first === 'object'
        ? first
        : (Object.fromEntries(config.labelNames.map((n, i) => [n, args[i]])) as LabelValues<T>);
    return labels(bound(named));
  }) as Counter<T>['labels'];
  return counter;
}
