// `portcullis serve` stopped by SIGTERM while a review is in flight: /readyz fails first, the listener stays open
// for the drain delay, then refuses new connections, idle keep-alive connections are closed, and the request in
// flight is still answered (HTTP 200) before the process exits 0. The --metrics-listen port serves /metrics over
// plain HTTP, with process metrics and the serving certificate's expiry.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { get as httpGet } from 'node:http';
import { Agent, request } from 'node:https';
import type { Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, startServe, type RunningServe } from '../../harness/serve';
import { selfSignedCert, type TlsPair } from '../../harness/tls';
import { admissionReview, cosignPolicy, podObject } from '../../harness/webhook';
import { startTripwire, type Tripwire } from './adversaries';

/** Drain delay given to serve: long enough to observe, short next to the in-flight review. */
const DRAIN_DELAY_MS = 1500;
/** The review's webhook timeout: it hangs on the tripwire registry until its deadline (this minus 1 s). */
const REVIEW_TIMEOUT_S = 8;

let tripwire: Tripwire;
let tls: TlsPair;
let serve: RunningServe;
let metricsPort: number;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly socket: Socket;
}

// call makes one HTTPS request to serve trusting only its certificate.
function call(method: string, url: string, options: { body?: unknown; agent?: Agent } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: serve.port,
        method,
        path: url,
        ca: tls.cert,
        agent: options.agent ?? false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        // Kept now: a keep-alive socket is detached from the response once it ends.
        const socket = res.socket;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
            socket,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

// scrape GETs /metrics from the plain-HTTP metrics port.
function scrape(): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet({ host: '127.0.0.1', port: metricsPort, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

// until polls `probe` every 50 ms until it returns true, failing after `ms`.
async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-graceful-'));
  tls = selfSignedCert(dir, 'serving');
  tripwire = await startTripwire();
  const policies = path.join(dir, 'policies');
  await mkdir(policies);
  const publicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
  await writeFile(path.join(policies, 'hang.yaml'), cosignPolicy('hang', [`${tripwire.host}/**`], publicKey));
  metricsPort = await freePort();
  serve = await startServe(tls, [
    '--policy-dir',
    policies,
    '--insecure-registry',
    tripwire.host,
    '--drain-delay',
    `${DRAIN_DELAY_MS}ms`,
    '--metrics-listen',
    `127.0.0.1:${metricsPort}`,
  ]);
});

afterAll(async () => {
  await serve?.stop('SIGKILL');
  await tripwire?.close();
});

describe('--metrics-listen', () => {
  it('serves /metrics over plain HTTP with process metrics and the certificate expiry', async () => {
    const { status, body } = await scrape();
    expect(status).toBe(200);
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    const notAfter = Date.parse(new X509Certificate(tls.cert).validTo) / 1000;
    expect(body).toContain(
      `portcullis_tls_certificate_expiry_timestamp_seconds{certificate="serving"} ${notAfter}`,
    );
  });
});

describe('SIGTERM', () => {
  it('fails readiness, answers the review in flight, closes keep-alive connections and refuses new ones', async () => {
    // A keep-alive connection left idle, as the API server keeps them.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const idle = await call('GET', '/healthz', { agent });
    expect(idle.status).toBe(200);
    const idleClosed = new Promise<void>((resolve) => idle.socket.once('close', () => resolve()));

    // A review that waits on the hanging registry until its deadline.
    const started = Date.now();
    let settled = false;
    const inFlight = call('POST', `/validate?timeout=${REVIEW_TIMEOUT_S}s`, {
      body: admissionReview(podObject({ app: `${tripwire.host}/app@sha256:${'a'.repeat(64)}` }), {
        uid: 'in-flight',
      }),
    }).finally(() => {
      settled = true;
    });
    await until('the review to reach the registry', 5000, async () => tripwire.connections() > 0);

    const exited = serve.stop('SIGTERM');
    await until('/readyz to fail', DRAIN_DELAY_MS, async () => (await call('GET', '/readyz')).status === 503);
    const ready = await call('GET', '/readyz');
    expect(JSON.parse(ready.body)).toEqual({ status: 'not ready', reason: 'shutting down' });
    expect(ready.headers.connection).toBe('close');

    // After the drain delay the listener is closed while the review is still in flight.
    await until('new connections to be refused', DRAIN_DELAY_MS + 3000, async () => {
      const error = await call('GET', '/healthz').then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      return error?.code === 'ECONNREFUSED';
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(DRAIN_DELAY_MS);
    expect(settled).toBe(false);
    await idleClosed;

    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ response: { uid: 'in-flight', allowed: false } });
    expect(answer.headers.connection).toBe('close');
    await expect(exited).resolves.toBe(0);
    // Logs are written asynchronously; the decision on the last review still reaches stderr before exit.
    expect(serve.logs()).toMatch(/"uid":"in-flight"[^\n]*"msg":"denied"/);
    agent.destroy();
  });
});
