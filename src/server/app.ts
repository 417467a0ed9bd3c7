import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AppOptions } from './app-options.types';
import { MAX_ADMISSION_REVIEW_BYTES } from '../admission/decode';
import { REQUEST_TIMEOUT_MS } from './limits';
import { registerAdmissionRoutes } from './routes/admission';
import { registerHealthRoutes } from './routes/health';

// parseJsonBody parses request bodies ourselves so that bad JSON becomes our clear 400, not a generic one.
function parseJsonBody(
  _req: unknown,
  body: string,
  done: (err: Error | null, value?: unknown) => void,
): void {
  try {
    done(null, JSON.parse(body));
  } catch {
    const error = Object.assign(new Error('request body is not valid JSON'), {
      statusCode: 400,
      code: 'ADMISSION_MALFORMED',
    });
    done(error);
  }
}

/** Builds the webhook app without listening; `cli/serve` listens, tests use `inject` or port 0. */
export function buildApp(options: AppOptions): FastifyInstance {
  const serverOptions: FastifyServerOptions & { https?: { cert: Buffer; key: Buffer } } = {
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? MAX_ADMISSION_REVIEW_BYTES,
    // One structured line per admission decision is ours to write; fastify's per-request lines are noise.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Once close() has begun, a request that still arrives on an open keep-alive connection is judged (with
    // `Connection: close`), not refused: the API server treats a 503 from a fail-closed webhook as a denial.
    return503OnClosing: false,
    // close() drops idle keep-alive connections at once and waits for the ones with a request in flight.
    forceCloseConnections: 'idle',
    ...(options.https ? { https: { cert: options.https.cert, key: options.https.key } } : {}),
  };
  const app = Fastify(serverOptions) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/json; charset=utf-8'],
    { parseAs: 'string' },
    parseJsonBody,
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, parseJsonBody);
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    const code =
      status === 413
        ? 'ADMISSION_BODY_TOO_LARGE'
        : status === 500
          ? 'ENGINE_INTERNAL_ERROR'
          : (error.code ?? 'ADMISSION_MALFORMED');
    const message =
      status === 413
        ? `request body exceeds ${options.bodyLimit ?? MAX_ADMISSION_REVIEW_BYTES} bytes`
        : status === 500
          ? 'internal error; see the webhook logs'
          : error.message;
    if (status === 500) request.log.error({ err: error }, 'unhandled error in request');
    void reply.code(status).send({ code, message });
  });
  const { drain } = options;
  if (drain !== undefined) {
    // While draining, each answer closes its connection, so keep-alive clients reconnect to another replica.
    app.addHook('onRequest', async (_request, reply) => {
      if (drain.draining) void reply.header('connection', 'close');
    });
  }
  registerHealthRoutes(app, options);
  registerAdmissionRoutes(app, options);
  return app;
}
