import Fastify, { LogController, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics';
import { REQUEST_TIMEOUT_MS } from './limits';

/** Largest request body the metrics listener reads: a scrape is a GET and sends none. */
export const MAX_METRICS_REQUEST_BYTES = 1024;

/** Writes the registry in the Prometheus text format; shared by the webhook's /metrics and the metrics listener. */
export async function sendMetrics(metrics: Metrics, reply: FastifyReply): Promise<FastifyReply> {
  const body = await metrics.registry.metrics();
  return reply.type(metrics.registry.contentType).send(body);
}

/**
 * The `--metrics-listen` app: GET /metrics only, over plain HTTP, for scrapers that hold no client certificate
 * and do not trust the webhook's CA. It answers nothing else, so it never judges an AdmissionReview and
 * never says whether the webhook is ready. Built without listening, like buildApp.
 */
export function buildMetricsApp(options: {
  readonly logger: Logger;
  readonly metrics: Metrics;
}): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: MAX_METRICS_REQUEST_BYTES,
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: REQUEST_TIMEOUT_MS,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  app.get('/metrics', (_request, reply) => sendMetrics(options.metrics, reply));
  return app;
}
