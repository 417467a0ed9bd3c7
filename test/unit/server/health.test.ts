// Liveness, readiness (policies synced) and metrics, as the kubelet and Prometheus ask for them.
import pino from 'pino';
import { buildApp } from '../../../src/server/app';
import { Metrics } from '../../../src/observability/metrics';
import { EMPTY_SNAPSHOT } from '../../../src/policy-sources/snapshot';

const unreachable = (): never => {
  throw new Error('no review is evaluated here');
};

describe('health routes', () => {
  let synced = false;
  const metrics = new Metrics();
  const app = buildApp({
    logger: pino({ level: 'silent' }),
    metrics,
    policies: { current: () => EMPTY_SNAPSHOT, ready: () => synced },
    evaluate: unreachable,
    pin: unreachable,
  });
  afterAll(() => app.close());

  it('/healthz answers while the policies are not synced; /readyz only once they are', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const waiting = await app.inject({ method: 'GET', url: '/readyz' });
    expect([waiting.statusCode, waiting.json()]).toEqual([
      503,
      { status: 'not ready', reason: 'policies not synced yet' },
    ]);
    synced = true;
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect([ready.statusCode, ready.json()]).toEqual([200, { status: 'ready' }]);
  });

  it('/metrics serves the registry in the Prometheus text format', async () => {
    metrics.admissionRequests.inc({ operation: 'CREATE', kind: 'Pod', decision: 'allow' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^portcullis_admission_requests_total\{.*decision="allow".*\} 1$/m);
  });
});
