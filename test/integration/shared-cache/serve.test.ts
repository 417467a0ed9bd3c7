// `portcullis serve --valkey-*`: the flags reach a real Valkey with its password, the metrics are served, the
// connection closes on SIGTERM, and a missing HMAC key is a usage error.
import Valkey from 'iovalkey';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPortcullis } from '../../harness/cli';
import { startServe, type RunningServe } from '../../harness/serve';
import { selfSignedCert, type TlsPair } from '../../harness/tls';
import { startValkey, type RunningValkey } from '../../harness/valkey';
import { rawClient } from './helpers';

let valkey: RunningValkey;
let raw: Valkey;
let dir: string;
let tls: TlsPair;
let files: { policies: string; password: string; key: string };

beforeAll(async () => {
  valkey = await startValkey({ requirepass: randomBytes(16).toString('hex') });
  raw = rawClient(valkey.port, valkey.password);
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-serve-valkey-'));
  tls = selfSignedCert(dir, 'serve');
  files = {
    policies: path.join(dir, 'policies'),
    password: path.join(dir, 'valkey-password'),
    key: path.join(dir, 'hmac-key'),
  };
  await mkdir(files.policies);
  await writeFile(files.password, `${valkey.password ?? ''}\n`, { mode: 0o600 });
  await writeFile(files.key, randomBytes(32), { mode: 0o600 });
});

afterAll(async () => {
  await raw.quit();
  await valkey.stop();
  await rm(dir, { recursive: true, force: true });
});

// getText fetches a path of the serve over HTTPS, trusting its certificate.
function getText(serve: RunningServe, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: serve.port, path: url, ca: tls.cert, agent: false },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

// clients counts Valkey's client connections other than the test's own.
async function otherClients(): Promise<number> {
  const list = String(await raw.client('LIST'));
  return list.split('\n').filter((l) => l.trim() !== '').length - 1;
}

it('connects with the password file, serves the shared-cache metrics, and disconnects on SIGTERM', async () => {
  const serve = await startServe(tls, [
    '--policy-dir',
    files.policies,
    '--valkey-url',
    valkey.url,
    '--valkey-password-file',
    files.password,
    '--valkey-hmac-key-file',
    files.key,
  ]);
  try {
    const until = Date.now() + 10_000;
    while (!serve.logs().includes('shared cache (Valkey) connected') && Date.now() < until) await sleep(50);
    expect(serve.logs()).toContain('shared cache (Valkey) connected');
    expect(await otherClients()).toBe(1);
    const metrics = await getText(serve, '/metrics');
    expect(metrics).toContain('# TYPE portcullis_shared_cache_fallback_total counter');
    expect(metrics).toContain('# TYPE portcullis_shared_cache_rejected_total counter');
    expect(serve.logs()).not.toContain(valkey.password);
  } finally {
    expect(await serve.stop('SIGTERM')).toBe(0);
  }
  expect(await otherClients()).toBe(0);
});

it('refuses --valkey-url without --valkey-hmac-key-file (exit 2)', async () => {
  const run = await runPortcullis([
    'serve',
    '--plain-http',
    '--listen',
    '127.0.0.1:0',
    '--policy-dir',
    files.policies,
    '--valkey-url',
    valkey.url,
  ]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('--valkey-url needs --valkey-hmac-key-file');
  expect(run.stderr).toContain('CONFIG_INVALID_FLAG');
});
