import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics of docs/operations.md#metrics, on a registry of their own (no global state). */
export class Metrics {
  readonly registry = new Registry();
  readonly admissionRequests = new Counter({
    name: 'portcullis_admission_requests_total',
    help: 'Admission requests by operation, kind and decision.',
    labelNames: ['operation', 'kind', 'decision'] as const,
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
  readonly registryRequests = new Counter({
    name: 'portcullis_registry_requests_total',
    help: 'HTTP requests to registries by registry host and outcome.',
    labelNames: ['registry', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly cacheHits = new Counter({
    name: 'portcullis_cache_hits_total',
    help: 'Verdict cache hits.',
    registers: [this.registry],
  });
  readonly cacheMisses = new Counter({
    name: 'portcullis_cache_misses_total',
    help: 'Verdict cache misses.',
    registers: [this.registry],
  });
  readonly breakGlass = new Counter({
    name: 'portcullis_break_glass_total',
    help: 'Admissions granted through break-glass, by namespace.',
    labelNames: ['namespace'] as const,
    registers: [this.registry],
  });
  readonly policies = new Gauge({
    name: 'portcullis_policies',
    help: 'Loaded policies by readiness.',
    labelNames: ['ready'] as const,
    registers: [this.registry],
  });
}
