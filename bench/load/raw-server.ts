// The baseline of the load bench: a bare Fastify server with the webhook's body limit that parses the
// AdmissionReview JSON and answers `allowed: true` with its uid. No policy, no cache, no log line.
// Run by bench/webhook-load.bench.ts as its own process; prints `listening PORT` once it listens.
import Fastify from 'fastify';
import { MAX_ADMISSION_REVIEW_BYTES } from '../../src/admission/decode';

interface Review {
  readonly request?: { readonly uid?: string };
}

const app = Fastify({ bodyLimit: MAX_ADMISSION_REVIEW_BYTES });
app.get('/readyz', async () => 'ok');
app.post('/validate', async (request) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: (request.body as Review).request?.uid ?? '', allowed: true },
}));
app
  .listen({ host: '127.0.0.1', port: 0 })
  .then(() => {
    const address = app.server.address();
    process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
  })
  .catch((error: unknown) => {
    process.stderr.write(`raw server failed: ${String(error)}\n`);
    process.exit(1);
  });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
