import type { FastifyInstance } from 'fastify';
import type { AppOptions } from '../app-options.types';

// registerHealthRoutes adds liveness, readiness (policies synced) and Prometheus metrics.
export function registerHealthRoutes(app: FastifyInstance, options: AppOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (!options.policies.ready())
      return reply.code(503).send({ status: 'not ready', reason: 'policies not synced yet' });
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(body);
  });
}
