// What the alerts read: every /validate denial is counted by code (`policy`, or the error code of a review that
// could not be judged), and every webhook call answered with an HTTP error by status class.
import pino from 'pino';
import { ADMIT_UNREVIEWED, type RequestEvaluation } from '../../../src/engine/evaluate-request';
import { Metrics } from '../../../src/observability/metrics';
import { buildApp } from '../../../src/server/app';
import { admissionReview, podObject } from '../../harness/webhook';

const DENIED: RequestEvaluation = {
  reviewed: true,
  uses: [],
  decision: { ...ADMIT_UNREVIEWED, allowed: false, message: 'denied by a policy' },
};

// metricsAfter posts one request to an app whose engine does `evaluate`, and returns the scraped metrics.
async function metricsAfter(
  evaluate: () => Promise<RequestEvaluation>,
  payload: unknown,
  options: { url?: string; bodyLimit?: number } = {},
): Promise<string> {
  const metrics = new Metrics();
  const app = buildApp({
    logger: pino({ level: 'silent' }),
    metrics,
    policies: { current: () => ({ policies: [], broken: [] }), ready: () => true },
    evaluate,
    pin: async () => ({ pins: [], failures: [] }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
  });
  await app.inject({
    method: 'POST',
    url: options.url ?? '/validate',
    headers: { 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  await app.close();
  return metrics.registry.metrics();
}

const review = admissionReview(podObject({ a: 'nginx' }), { uid: 'm-1' });

describe('denial and error metrics', () => {
  it.each([
    ['a policy denial', async () => DENIED, review, 'policy'],
    [
      'an engine failure',
      async () => {
        throw new Error('boom');
      },
      review,
      'ENGINE_INTERNAL_ERROR',
    ],
    ['a malformed review', async () => DENIED, { request: { uid: 'm-2', kind: 7 } }, 'ADMISSION_MALFORMED'],
  ])('%s counts as a denial with code %s', async (_what, evaluate, payload, code) => {
    const text = await metricsAfter(evaluate, payload);
    expect(text).toContain(`portcullis_admission_denials_total{endpoint="validate",code="${code}"} 1`);
  });

  it('an admission counts no denial', async () => {
    const text = await metricsAfter(
      async () => ({ reviewed: true, uses: [], decision: ADMIT_UNREVIEWED }),
      review,
    );
    expect(text).not.toMatch(/^portcullis_admission_denials_total\{/m);
  });

  it.each([
    ['no uid (400)', { nothing: true }, {}, 'validate', '4xx'],
    ['a body over the limit (413)', review, { bodyLimit: 64 }, 'validate', '4xx'],
    ['invalid JSON on /mutate (400)', '{not json', { url: '/mutate' }, 'mutate', '4xx'],
  ] as const)('%s counts as an HTTP error', async (_what, payload, options, endpoint, cls) => {
    const text = await metricsAfter(async () => DENIED, payload, options);
    expect(text).toContain(`portcullis_http_errors_total{endpoint="${endpoint}",class="${cls}"} 1`);
  });
});
