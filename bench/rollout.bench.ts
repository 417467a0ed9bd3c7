// Benchmark (issue 12): a rollout on 3 replicas sharing one Valkey. 300 admissions (/mutate, then /validate)
// of one new tag, spread round-robin over 3 real `portcullis serve` replicas, at once; the counting proxy in
// front of the registry counts tag resolutions and signature fetches cluster-wide. Goal: 1 and 1. The same
// rollout on 3 replicas without Valkey is the baseline. Run: npm run bench:rollout [-- --runs N]
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { admitOn, closeAgents, metricsText, podReview } from '../test/harness/serve-admit';
import type { RunningServe } from '../test/harness/serve';
import { startValkey } from '../test/harness/valkey';
import { numberFlag, requestsDuring, startClusterStand, type ClusterStand } from './cluster/stand';

const REPLICAS = 3;
const ADMISSIONS = 300;

interface RolloutCount {
  readonly resolutions: number;
  readonly signatures: number;
  readonly total: number;
  readonly denied: number;
  readonly ms: number;
  /** Valkey skipped (fallbacks, lock-wait timeouts) during the rollout, summed over the replicas. */
  readonly bypasses: number;
}

// bypassesOf sums the fallback and lock-wait-timeout counters of the replicas.
async function bypassesOf(stand: ClusterStand, replicas: readonly RunningServe[]): Promise<number> {
  let n = 0;
  for (const r of replicas) {
    for (const l of (await metricsText(r, stand.tls.cert)).split('\n')) {
      if (
        l.startsWith('portcullis_shared_cache_fallback_total{') ||
        l.startsWith('portcullis_shared_cache_lock_waits_total{outcome="timeout"}')
      )
        n += Number(l.slice(l.lastIndexOf(' ') + 1));
    }
  }
  return n;
}

// rollout pushes a new signed tag and admits it ADMISSIONS times at once over the replicas.
async function rollout(
  stand: ClusterStand,
  replicas: readonly RunningServe[],
  tag: string,
): Promise<RolloutCount> {
  const image = await stand.push(tag);
  const before = await bypassesOf(stand, replicas);
  const start = performance.now();
  const [answers, seen] = await requestsDuring(stand.proxy, () =>
    Promise.all(
      Array.from({ length: ADMISSIONS }, (_, i) =>
        admitOn(replicas[i % replicas.length] as RunningServe, stand.tls.cert, podReview(stand.named(tag))),
      ),
    ),
  );
  const ms = performance.now() - start;
  const sig = `sha256-${image.digest.slice('sha256:'.length)}.sig`;
  return {
    resolutions: seen.filter((r) => r.endsWith(`/manifests/${tag}`)).length,
    signatures: seen.filter((r) => r.endsWith(`/manifests/${sig}`)).length,
    total: seen.length,
    denied: answers.filter((a) => !a.allowed).length,
    ms,
    bypasses: (await bypassesOf(stand, replicas)) - before,
  };
}

// phase starts REPLICAS replicas with `args`, runs `runs` rollouts of fresh tags, and stops them.
async function phase(
  stand: ClusterStand,
  args: readonly string[],
  runs: number,
  name: string,
): Promise<RolloutCount[]> {
  const replicas = await Promise.all(Array.from({ length: REPLICAS }, () => stand.startReplica(args)));
  try {
    const out: RolloutCount[] = [];
    for (let i = 0; i < runs; i++) out.push(await rollout(stand, replicas, `${name}-${i}`));
    return out;
  } finally {
    await Promise.all(replicas.map((r) => r.stop('SIGTERM')));
  }
}

// row prints one table row per run.
function row(name: string, i: number, c: RolloutCount): string {
  return `| ${name} | ${i + 1} | ${c.resolutions} | ${c.signatures} | ${c.total} | ${c.denied} | ${c.bypasses} | ${Math.round(c.ms)} |\n`;
}

// main runs the shared-cache phase, then the baseline, and prints both.
async function main(): Promise<void> {
  const runs = numberFlag(process.argv.slice(2), '--runs', 3);
  const stand = await startClusterStand();
  const valkey = await startValkey();
  try {
    const policies = await stand.policyDir('policies');
    const hmacKey = path.join(stand.dir, 'hmac-key');
    await writeFile(hmacKey, randomBytes(32), { mode: 0o600 });
    const common = ['--policy-dir', policies, '--drain-delay', '0s', '--log-level', 'warn'];
    const shared = await phase(
      stand,
      [...common, '--valkey-url', valkey.url, '--valkey-hmac-key-file', hmacKey],
      runs,
      'shared',
    );
    const alone = await phase(stand, common, runs, 'alone');
    const out = process.stdout;
    out.write(
      `\nrollout: ${ADMISSIONS} concurrent /mutate+/validate of one new tag over ${REPLICAS} replicas; ` +
        `${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)} at the end\n\n` +
        '| replicas | run | tag resolutions | .sig fetches | registry requests | denied | Valkey bypasses | wall ms |\n' +
        '|---|---|---|---|---|---|---|---|\n',
    );
    shared.forEach((c, i) => out.write(row(`${REPLICAS}, one Valkey`, i, c)));
    alone.forEach((c, i) => out.write(row(`${REPLICAS}, no Valkey`, i, c)));
  } finally {
    closeAgents();
    await valkey.stop();
    await stand.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
