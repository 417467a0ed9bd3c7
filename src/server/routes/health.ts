import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../app-options.types';
import { sendMetrics } from '../metrics-app';

// registerHealthRoutes adds liveness, readiness (policies synced) and Prometheus metrics.
export function registerHealthRoutes(app: FastifyInstance, options: AppOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (options.drain?.draining)
      return reply.code(503).send({ status: 'not ready', reason: 'shutting down' });
    if (!options.policies.ready())
      return reply.code(503).send({ status: 'not ready', reason: 'policies not synced yet' });
    return { status: 'ready' };
  });
  app.get('/metrics', (_request, reply) => sendMetrics(options.metrics, reply));
}
