// The --metrics-listen app: GET /metrics and nothing else, so a plain-HTTP port can never judge a review.
import pino from 'pino';
import { buildMetricsApp } from '../../../src/server/metrics-app';
import { Metrics } from '../../../src/observability/metrics';

describe('metrics app', () => {
  const metrics = new Metrics();
  const app = buildMetricsApp({ logger: pino({ level: 'silent' }), metrics });
  afterAll(() => app.close());

  it('serves the registry in the Prometheus text format', async () => {
    metrics.breakGlass.inc({ namespace: 'prod' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(/^portcullis_break_glass_total\{namespace="prod"\} 1$/m);
  });

  it.each([
    ['POST', '/validate'],
    ['POST', '/mutate'],
    ['GET', '/readyz'],
    ['GET', '/healthz'],
    ['POST', '/metrics'],
  ] as const)('answers %s %s with 404', async (method, url) => {
    const res = await app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
    expect(res.statusCode).toBe(404);
  });
});
