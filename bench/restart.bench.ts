// Benchmark (issue 12): a rolling restart of 3 TLS replicas and a serving-certificate rotation, under steady
// autocannon load through a round-robin TCP balancer (the Service's role). Each old replica is replaced in
// turn: a new one starts and joins, then the old one gets SIGTERM (readiness drops, in-flight requests finish,
// keep-alive connections close). After the first replacement the certificate files are rewritten with a new
// certificate of the same CA (hot reload). Goal: 0 failed requests (non-2xx and socket errors counted apart).
// Run: npm run bench:restart [-- --seconds N]
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startServe, type RunningServe } from '../test/harness/serve';
import { closeAgents, podReview, reviewOn } from '../test/harness/serve-admit';
import { REPO_ROOT } from '../test/harness/tools';
import { startBalancer } from './cluster/balancer';
import { numberFlag, startClusterStand } from './cluster/stand';
import { issueLeaf, makeCa } from './cluster/tls-files';
import { LOAD_CORE, pinned } from './load/processes';

const run = promisify(execFile);
const REPLICAS = 3;
const CONNECTIONS = 10;

interface AutocannonJson {
  requests: { total: number; average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  resets?: number;
}

// autocannon runs the CLI against `url` for `seconds`, trusting the CA file, and parses its JSON.
async function autocannon(
  url: string,
  bodyFile: string,
  caFile: string,
  seconds: number,
): Promise<AutocannonJson> {
  const [cmd, args] = pinned(LOAD_CORE, process.execPath, [
    path.join(REPO_ROOT, 'node_modules', 'autocannon', 'autocannon.js'),
    '--json', '--connections', String(CONNECTIONS), '--duration', String(seconds), '--method', 'POST',
    '--headers', 'content-type=application/json', '--input', bodyFile, url,
  ]); // prettier-ignore
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: caFile };
  delete env.NODE_OPTIONS;
  const { stdout } = await run(cmd, args, {
    env,
    maxBuffer: 16 * 1024 * 1024,
    timeout: (seconds + 60) * 1000,
  });
  return JSON.parse(stdout) as AutocannonJson;
}

// servedFingerprint answers the SHA-256 of the certificate a replica presents on a new TLS connection.
function servedFingerprint(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const der = socket.getPeerCertificate().raw;
      socket.end();
      resolve(createHash('sha256').update(der).digest('hex'));
    });
    socket.on('error', reject);
  });
}

// pemFingerprint is the SHA-256 of a PEM certificate's DER.
function pemFingerprint(pem: string): string {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex');
}

// main starts the stand, runs the load and the restart sequence at once, and prints what the load saw.
async function main(): Promise<void> {
  const seconds = numberFlag(process.argv.slice(2), '--seconds', 60);
  const stand = await startClusterStand();
  const started = Date.now();
  const events: string[] = [];
  const note = (what: string): void =>
    void events.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${what}`);
  const replicas: RunningServe[] = [];
  try {
    const ca = makeCa(stand.dir);
    const caFile = path.join(stand.dir, 'ca.crt');
    const [first, second] = [issueLeaf(stand.dir, 'first'), issueLeaf(stand.dir, 'second')];
    const serving = {
      certFile: path.join(stand.dir, 'tls.crt'),
      keyFile: path.join(stand.dir, 'tls.key'),
      cert: ca,
    };
    await copyFile(first.keyFile, serving.keyFile);
    await copyFile(first.certFile, serving.certFile);
    const policies = await stand.policyDir('p');
    const args = [
      '--policy-dir',
      policies,
      '--drain-delay',
      '2s',
      '--log-level',
      'warn',
      '--insecure-registry',
      stand.proxy.host,
    ];
    const image = await stand.push('steady');
    const body = podReview(stand.named(image.digest));
    const bodyFile = path.join(stand.dir, 'body.json');
    await writeFile(bodyFile, JSON.stringify(body));
    const start = async (): Promise<RunningServe> => {
      const r = await startServe(serving, args);
      replicas.push(r);
      const answer = await reviewOn(r, ca, '/validate', podReview(stand.named(image.digest)));
      if (!answer.allowed) throw new Error('the steady image was denied');
      return r;
    };
    const old = await Promise.all(Array.from({ length: REPLICAS }, () => start()));
    const balancer = await startBalancer(ca);
    for (const r of old) balancer.add(r.port);
    await sleep(300);
    note('load starts');
    const load = autocannon(`https://127.0.0.1:${balancer.port}/validate`, bodyFile, caFile, seconds);
    await sleep(3000);
    let rotated = false;
    for (const [i, r] of old.entries()) {
      const fresh = await start();
      balancer.add(fresh.port);
      await sleep(300);
      note(`replica ${i + 4} ready and in the balancer; SIGTERM to replica ${i + 1}`);
      const code = await r.stop('SIGTERM');
      balancer.remove(r.port);
      note(`replica ${i + 1} exited with ${code}`);
      if (!rotated) {
        rotated = true;
        // Key first, then certificate: a reload that sees a mismatched pair keeps the previous one.
        await writeFile(serving.keyFile, await readFile(second.keyFile));
        await writeFile(serving.certFile, await readFile(second.certFile));
        note('serving certificate files rewritten (rotation)');
      }
    }
    const want = pemFingerprint(await readFile(second.certFile, 'utf8'));
    await sleep(3000);
    const live = replicas.slice(REPLICAS);
    const onNew = (await Promise.all(live.map((r) => servedFingerprint(r.port, ca)))).filter(
      (f) => f === want,
    );
    note(`sequence done; ${onNew.length}/${live.length} live replicas serve the rotated certificate`);
    const r = await load;
    note('load ends');
    await balancer.close();
    process.stdout.write(
      `\nrestart: ${REPLICAS} TLS replicas behind a round-robin TCP balancer, autocannon ${CONNECTIONS} connections ` +
        `for ${seconds} s; serve --drain-delay 2s; ${os.cpus().length} cores, load average ` +
        `${os.loadavg()[0]?.toFixed(1)} at the end\n\n${events.map((e) => `- ${e}`).join('\n')}\n\n` +
        '| requests | req/s | p99 ms | non-2xx | socket errors | timeouts | resets | balancer refusals |\n|---|---|---|---|---|---|---|---|\n' +
        `| ${r.requests.total} | ${Math.round(r.requests.average)} | ${r.latency.p99} | ${r.non2xx} | ${r.errors} | ${r.timeouts} | ${r.resets ?? 0} | ${balancer.refused()} |\n`,
    );
  } finally {
    closeAgents();
    await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
    await stand.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
