// `portcullis serve` as a process: TLS, health, readiness, metrics, a review over HTTPS, certificate
// hot reload without a restart, and a clean exit on SIGTERM.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile, rename } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { REPO_ROOT } from '../../harness/tools';
import { selfSignedArgs, selfSignedCert } from '../../harness/tls';
import { admissionReview, podObject } from '../../harness/webhook';

// selfSigned makes a self-signed cert for 127.0.0.1; returns PEM strings.
function selfSigned(dir: string, name: string, days?: number): { cert: string; key: string } {
  if (days === undefined) {
    const pair = selfSignedCert(dir, name);
    return { cert: pair.cert, key: pair.key };
  }
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  const extensions = ['subjectAltName=IP:127.0.0.1,DNS:localhost'];
  execFileSync('openssl', selfSignedArgs({ keyFile, certFile, subject: `/CN=${name}`, days, extensions }), {
    stdio: 'ignore',
  });
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

// freePort asks the kernel for a port that is free right now.
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// call makes one HTTPS request trusting only `ca`; resolves status, body and the served certificate.
function call(
  port: number,
  ca: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: string; cert: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        ca,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const peer = (res.socket as import('node:tls').TLSSocket).getPeerCertificate();
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            cert: peer.fingerprint256,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

let child: ChildProcess;
let dir: string;
let port: number;
let first: { cert: string; key: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-serve-'));
  first = selfSigned(dir, 'first');
  await writeFile(path.join(dir, 'tls.crt'), first.cert);
  await writeFile(path.join(dir, 'tls.key'), first.key);
  const policies = path.join(dir, 'policies');
  execFileSync('mkdir', ['-p', policies]);
  port = await freePort();
  child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'portcullis.js'),
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--tls-cert',
      path.join(dir, 'tls.crt'),
      '--tls-key',
      path.join(dir, 'tls.key'),
      '--policy-dir',
      policies,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  for (let i = 0; i < 100; i++) {
    const ok = await call(port, first.cert, 'GET', '/healthz').then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('portcullis serve did not come up');
});

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('portcullis serve', () => {
  it('answers health, readiness and metrics over TLS', async () => {
    expect((await call(port, first.cert, 'GET', '/healthz')).status).toBe(200);
    expect((await call(port, first.cert, 'GET', '/readyz')).status).toBe(200);
    const metrics = await call(port, first.cert, 'GET', '/metrics');
    expect(metrics.body).toContain('portcullis_admission_requests_total');
    expect(metrics.body).toMatch(/^process_resident_memory_bytes \d/m);
    const notAfter = Date.parse(new X509Certificate(first.cert).validTo) / 1000;
    expect(metrics.body).toContain(
      `portcullis_tls_certificate_expiry_timestamp_seconds{certificate="serving"} ${notAfter}`,
    );
  });

  it('judges an AdmissionReview over TLS (ungoverned image: denied)', async () => {
    const r = await call(
      port,
      first.cert,
      'POST',
      '/validate',
      admissionReview(podObject({ a: 'nginx' }), { uid: 'tls-1' }),
    );
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ response: { uid: 'tls-1', allowed: false } });
  });

  it('serves a rotated certificate without a restart, and reports its expiry', async () => {
    const second = selfSigned(dir, 'second', 30);
    await writeFile(path.join(dir, 'tls.key.new'), second.key);
    await writeFile(path.join(dir, 'tls.crt.new'), second.cert);
    await rename(path.join(dir, 'tls.key.new'), path.join(dir, 'tls.key'));
    await rename(path.join(dir, 'tls.crt.new'), path.join(dir, 'tls.crt'));
    const want = new X509Certificate(second.cert).fingerprint256;
    let served = '';
    for (let i = 0; i < 60 && served !== want; i++) {
      await new Promise((r) => setTimeout(r, 250));
      served = await call(port, second.cert, 'GET', '/healthz').then(
        (r) => r.cert,
        () => '',
      );
    }
    expect(served).toBe(want);
    expect(child.exitCode).toBeNull();
    // The expiry gauge follows the rotation (the second certificate lives 30 days, the first 2).
    const notAfter = Date.parse(new X509Certificate(second.cert).validTo) / 1000;
    const metrics = await call(port, second.cert, 'GET', '/metrics');
    expect(metrics.body).toContain(
      `portcullis_tls_certificate_expiry_timestamp_seconds{certificate="serving"} ${notAfter}`,
    );
  });

  it('exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    await expect(exited).resolves.toBe(0);
  });
});
