// Draining (after SIGTERM): /readyz fails so that no new call is routed here, yet reviews are still judged, and
// every answer closes its connection so keep-alive clients move to another replica.
import pino from 'pino';
import { buildApp } from '../../../src/server/app';
import { Drain } from '../../../src/server/drain';
import { Metrics } from '../../../src/observability/metrics';
import { EMPTY_SNAPSHOT } from '../../../src/policy-sources/snapshot';
import { ADMIT_UNREVIEWED } from '../../../src/engine/evaluate-request';
import { admissionReview, podObject } from '../../harness/webhook';

describe('a draining webhook', () => {
  const drain = new Drain();
  const app = buildApp({
    logger: pino({ level: 'silent' }),
    metrics: new Metrics(),
    policies: { current: () => EMPTY_SNAPSHOT, ready: () => true },
    evaluate: async () => ({ reviewed: false, uses: [], decision: ADMIT_UNREVIEWED }),
    pin: async () => ({ pins: [], failures: [] }),
    drain,
  });
  afterAll(() => app.close());

  it('is ready and keeps connections open before the drain', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.headers.connection).not.toBe('close');
  });

  it('fails /readyz once draining, closes each connection, and still answers reviews', async () => {
    drain.start();
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([503, { status: 'not ready', reason: 'shutting down' }]);
    const review = await app.inject({
      method: 'POST',
      url: '/validate',
      payload: admissionReview(podObject({ a: 'nginx' }), { uid: 'drain-1' }),
    });
    expect(review.statusCode).toBe(200);
    expect(review.json()).toMatchObject({ response: { uid: 'drain-1', allowed: true } });
    expect(review.headers.connection).toBe('close');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});
