// Benchmark (issue 12): the webhook under load, as a separate `portcullis serve --plain-http` process pinned
// to core 0, against a raw Fastify server on the same core, with autocannon on core 1. A counting proxy in
// front of a distribution registry records every registry request. Phases: cold, concurrency, warm, memory.
// Run: npm run bench:load  (`-- --runs 1 --seconds 3` for a quick look; `-- --profile` for a CPU profile of
// one warm run at 50 connections). Numbers depend on the machine and on what else runs on it.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { cosignSign, generateCosignKey, type CosignKey } from '../test/harness/cosign';
import { startFlakyProxy, type FlakyProxy } from '../test/harness/flaky-proxy';
import { pushRandomImage, type PushedImage } from '../test/harness/images';
import { startDistribution } from '../test/harness/registries';
import { admissionReview, cosignPolicy, podObject } from '../test/harness/webhook';
import { admitThroughBoth, expectAllowed, postReview } from './load/admit';
import { topSelfTime } from './load/cpu-profile';
import { runLoad, type LoadResult } from './load/load';
import {
  buildDist,
  hasTaskset,
  LOAD_CORE,
  pinSelf,
  startPortcullis,
  startRawServer,
  type PinnedServer,
} from './load/processes';

const run = promisify(execFile);

/** Connection counts of the warm phase. */
const CONNECTIONS = [1, 10, 50] as const;
/** Concurrent admissions of one new tag in the concurrency phase. */
const CONCURRENT_ADMISSIONS = 100;
/** Unmeasured load before each warm run, so that both servers are JIT-compiled. */
const WARM_UP_SECONDS = 3;
const MiB = 1024 * 1024;

interface Options {
  readonly runs: number;
  readonly seconds: number;
  readonly profile: boolean;
  /** serve's --log-level; `warn` drops the one decision line per request (an experiment, not a default). */
  readonly logLevel: string | undefined;
}

// toOptions reads --runs N, --seconds N and --profile.
function toOptions(argv: readonly string[]): Options {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  const level = argv.indexOf('--log-level');
  return {
    runs: value('--runs', 3),
    seconds: value('--seconds', 10),
    profile: argv.includes('--profile'),
    logLevel: level >= 0 ? argv[level + 1] : undefined,
  };
}

// ms prints an autocannon latency, which it records in whole milliseconds: 0 means under 1 ms.
function ms(value: number): string {
  return value === 0 ? '<1 ms' : `${value} ms`;
}

// median of numbers (the middle one; the mean of the two middle ones for an even count).
function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** The registry, its counting proxy, a key, and a way to push and sign one new image. */
interface Stand {
  readonly proxy: FlakyProxy;
  readonly dir: string;
  readonly policyDir: string;
  /** The compiled CLI that serve runs from. */
  readonly distMain: string;
  signNew(tag: string): Promise<PushedImage>;
  stop(): Promise<void>;
}

// startStand starts distribution behind the proxy and writes a policy for images named by the proxy.
async function startStand(distMain: string): Promise<Stand> {
  const dist = await startDistribution();
  const proxy = await startFlakyProxy(dist.host);
  const key: CosignKey = await generateCosignKey();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-load-'));
  const policyDir = path.join(dir, 'policies');
  await mkdir(policyDir);
  await writeFile(
    path.join(policyDir, 'p.yaml'),
    cosignPolicy('bench', [`${proxy.host}/bench/**`], key.publicKeyPem),
  );
  // Images are pushed and signed (cosign v2, legacy .sig) straight to the registry, so the proxy only sees
  // the webhook's requests; the webhook names them by the proxy's host.
  const signNew = async (tag: string): Promise<PushedImage> => {
    const image = await pushRandomImage(dist.host, 'bench/app', tag);
    await cosignSign(key, image.ref, 'legacy');
    return { ...image, ref: `${proxy.host}/bench/app@${image.digest}` };
  };
  const stop = async (): Promise<void> => {
    await proxy.close();
    await dist.stop();
  };
  return { proxy, dir, policyDir, distMain, signNew, stop };
}

// review is an AdmissionReview of a one-container Pod.
function review(image: string): Record<string, unknown> {
  return admissionReview(podObject({ app: image }), { uid: 'bench-uid' });
}

// requestsDuring counts the proxy's requests while fn runs, and returns them with fn's result.
async function requestsDuring<T>(proxy: FlakyProxy, fn: () => Promise<T>): Promise<[T, string[]]> {
  const before = proxy.requests().length;
  const result = await fn();
  return [result, proxy.requests().slice(before)];
}

/** Cold: one new image by digest, one legacy signature, one /validate; wall time and registry requests. */
async function cold(stand: Stand, serve: PinnedServer, image: PushedImage): Promise<[number, string[]]> {
  return requestsDuring(stand.proxy, async () => {
    const start = performance.now();
    expectAllowed(await postReview(`${serve.url}/validate`, review(image.ref)), 'cold admission');
    return performance.now() - start;
  });
}

/** Concurrency: 100 admissions (/mutate then /validate) of one new tag at once. */
async function concurrency(
  stand: Stand,
  serve: PinnedServer,
  tag: string,
): Promise<{ resolutions: number; signatures: number; total: number }> {
  const image = await stand.signNew(tag);
  const ref = `${stand.proxy.host}/bench/app:${tag}`;
  const [, seen] = await requestsDuring(stand.proxy, () =>
    Promise.all(
      Array.from({ length: CONCURRENT_ADMISSIONS }, async () =>
        expectAllowed(await admitThroughBoth(serve.url, review(ref)), 'concurrent admission'),
      ),
    ),
  );
  const sig = `sha256-${image.digest.slice('sha256:'.length)}.sig`;
  return {
    resolutions: seen.filter((r) => r.endsWith(`/manifests/${tag}`)).length,
    signatures: seen.filter((r) => r.endsWith(`/manifests/${sig}`)).length,
    total: seen.length,
  };
}

/** Warm: autocannon on /validate of a pinned, verified Pod, for each connection count, on both servers. */
async function warm(
  serve: PinnedServer,
  raw: PinnedServer,
  bodyFile: string,
  seconds: number,
): Promise<Map<string, LoadResult>> {
  const results = new Map<string, LoadResult>();
  for (const s of [serve, raw]) await runLoad(`${s.url}/validate`, s.cpuMs, bodyFile, 10, WARM_UP_SECONDS);
  for (const c of CONNECTIONS) {
    results.set(`portcullis ${c}`, await runLoad(`${serve.url}/validate`, serve.cpuMs, bodyFile, c, seconds));
    results.set(`raw ${c}`, await runLoad(`${raw.url}/validate`, raw.cpuMs, bodyFile, c, seconds));
  }
  return results;
}

// verdictMemory runs load/verdict-memory.ts in a fresh Node and parses its JSON line. The summary and the
// policy key have the shape of the serve process's (verifiers/cosign/verifier.ts, policy/compile/compile.ts).
async function verdictMemory(): Promise<{ heapDelta: number; rssDelta: number }> {
  const script = path.join(__dirname, 'load', 'verdict-memory.ts');
  const summary = `cosign legacy signature sha256-<hex>.sig signed by key sha256:${'ab'.repeat(32)}`;
  const { stdout } = await run(process.execPath, [
    '--expose-gc',
    '--import',
    'tsx',
    script,
    summary,
    'ClusterImagePolicy/bench@1:0123456789abcdef',
  ]);
  return JSON.parse(stdout) as { heapDelta: number; rssDelta: number };
}

// profile runs one warm 50-connection load against a serve started with --cpu-prof and prints the top 10.
async function profile(stand: Stand, options: Options): Promise<void> {
  const image = await stand.signNew('profiled');
  const profDir = path.join(stand.dir, 'cpu-prof');
  const serve = await startPortcullis({
    distMain: stand.distMain,
    policyDir: stand.policyDir,
    insecureRegistry: stand.proxy.host,
    logFile: path.join(stand.dir, 'serve-profile.log'),
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir],
  });
  const bodyFile = path.join(stand.dir, 'warm-profile.json');
  await writeFile(bodyFile, JSON.stringify(review(image.ref)));
  expectAllowed(await postReview(`${serve.url}/validate`, review(image.ref)), 'profiled admission');
  await runLoad(`${serve.url}/validate`, serve.cpuMs, bodyFile, 10, WARM_UP_SECONDS);
  const r = await runLoad(`${serve.url}/validate`, serve.cpuMs, bodyFile, 50, options.seconds);
  await serve.stop();
  const file = (await readdir(profDir)).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no .cpuprofile in ${profDir}`);
  process.stdout.write(
    `profiled run: ${Math.round(r.rps)} req/s at 50 connections, under the profiler\n` +
      `profile: ${path.join(profDir, file)} (whole process life: start-up, warm-up and the run)\n\n` +
      '| self time | % | function |\n|---|---|---|\n',
  );
  for (const t of topSelfTime(path.join(profDir, file), 10)) {
    process.stdout.write(`| ${t.ms.toFixed(0)} ms | ${t.percent.toFixed(1)} | \`${t.name}\` |\n`);
  }
}

// measure runs every phase `options.runs` times and prints the tables of medians.
async function measure(stand: Stand, options: Options): Promise<void> {
  const serve = await startPortcullis({
    distMain: stand.distMain,
    policyDir: stand.policyDir,
    insecureRegistry: stand.proxy.host,
    logFile: path.join(stand.dir, 'serve.log'),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
  });
  const raw = await startRawServer();
  const idleRss = serve.rssBytes();
  try {
    const warmImage = await stand.signNew('warm');
    const bodyFile = path.join(stand.dir, 'warm.json');
    await writeFile(bodyFile, JSON.stringify(review(warmImage.ref)));
    // The first verification of the process, unmeasured: it also fills the verdict the warm phase hits.
    const first = await postReview(`${serve.url}/validate`, review(warmImage.ref));
    expectAllowed(first, 'first admission');
    const colds: number[] = [];
    const coldRequests: number[] = [];
    let coldList: string[] = [];
    const conc: { resolutions: number; signatures: number; total: number }[] = [];
    const warmRuns: Map<string, LoadResult>[] = [];
    const warmRequests: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const [ms, seen] = await cold(stand, serve, await stand.signNew(`cold-${i}`));
      colds.push(ms);
      coldRequests.push(seen.length);
      coldList = seen;
      conc.push(await concurrency(stand, serve, `concurrent-${i}`));
      // Cached already; re-asked so that a run never meets an expired verdict.
      expectAllowed(await postReview(`${serve.url}/validate`, review(warmImage.ref)), 'warm admission');
      const [results, during] = await requestsDuring(stand.proxy, () =>
        warm(serve, raw, bodyFile, options.seconds),
      );
      warmRuns.push(results);
      warmRequests.push(during.length);
    }
    const loadedRss = serve.rssBytes();
    const memory = await verdictMemory();
    const at = (name: string, pick: (r: LoadResult) => number): number =>
      median(warmRuns.map((m) => pick(m.get(name) as LoadResult)));
    const failures = warmRuns.flatMap((m) => [...m.values()]).reduce((n, r) => n + r.failures, 0);
    const out = process.stdout;
    out.write(
      `\nwebhook-load: ${options.runs} run(s), medians; warm runs of ${options.seconds} s; ` +
        `${hasTaskset() ? `servers on core 0, load on core ${LOAD_CORE}` : 'taskset missing: nothing pinned'}; ` +
        `serve --log-level ${options.logLevel ?? 'info (default)'}; ` +
        `${os.cpus().length} cores, ${os.loadavg()[0]?.toFixed(2)} load average at the end\n\n`,
    );
    out.write(
      '| warm /validate, digest, verdict cached | Portcullis | raw Fastify | ratio |\n|---|---|---|---|\n',
    );
    for (const c of CONNECTIONS) {
      const p = `portcullis ${c}`;
      const r = `raw ${c}`;
      const row = (name: string): string =>
        `${Math.round(at(name, (x) => x.rps)).toLocaleString('en')} req/s ` +
        `(p50 ${ms(at(name, (x) => x.p50))}, p99 ${ms(at(name, (x) => x.p99))}; ` +
        `${Math.round(at(name, (x) => x.cpuPerRequestUs))} µs CPU/req)`;
      const ratio = at(p, (x) => x.rps) / at(r, (x) => x.rps);
      out.write(`| ${c} connection${c === 1 ? '' : 's'} | ${row(p)} | ${row(r)} | ${ratio.toFixed(2)}× |\n`);
    }
    const perRun = (name: string): string =>
      `${name} ${warmRuns.map((m) => Math.round(m.get(name)?.rps ?? NaN)).join('/')}`;
    out.write(
      `\nreq/s per run: ${CONNECTIONS.flatMap((c) => [perRun(`portcullis ${c}`), perRun(`raw ${c}`)]).join('; ')}\n`,
    );
    out.write(
      `warm-phase registry requests (per run): ${warmRequests.join(', ')}; non-2xx/errors under load: ${failures}\n` +
        `cold, one image by digest, one legacy .sig: ${median(colds).toFixed(1)} ms (runs: ${colds
          .map((m) => m.toFixed(1))
          .join(', ')}), registry requests: ${coldRequests.join(', ')}\n` +
        `  requests of the last cold run: ${coldList.join(' | ')}\n` +
        `${CONCURRENT_ADMISSIONS} concurrent /mutate+/validate of one new tag (per run): ` +
        conc
          .map((c) => `${c.resolutions} tag resolutions, ${c.signatures} .sig fetches, ${c.total} in all`)
          .join('; ') +
        `\nserve RSS: ${(idleRss / MiB).toFixed(0)} MiB idle, ${(loadedRss / MiB).toFixed(0)} MiB after the runs\n` +
        `VerdictCache with 10,000 entries, in a fresh process: heap +${(memory.heapDelta / MiB).toFixed(1)} MiB, ` +
        `RSS +${(memory.rssDelta / MiB).toFixed(1)} MiB (${Math.round(memory.heapDelta / 10_000)} bytes of heap per verdict)\n`,
    );
  } finally {
    await Promise.all([serve.stop(), raw.stop()]);
  }
}

// main pins the bench (and so the registry and proxy it starts) to the load core, then runs.
async function main(): Promise<void> {
  pinSelf(LOAD_CORE);
  const options = toOptions(process.argv.slice(2));
  const distMain = await buildDist();
  const stand = await startStand(distMain);
  try {
    await (options.profile ? profile(stand, options) : measure(stand, options));
  } finally {
    await stand.stop();
    // serve's log holds one line per request (hundreds of MB); a profile is kept for reading.
    if (!options.profile) await rm(stand.dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
