// Benchmark (issue 12): cold verification on a real `portcullis serve`. (1) A pod of 4 new images with 5
// legacy cosign signatures each (five keys; the policy trusts the fifth signer) against a pod of 1 new image
// with 1 signature: wall time ratio, goal within 1.5×. (2) Registry requests of one cold image by digest: a
// legacy `.sig`, and a cosign v3 bundle on distribution (tag fallback) and on a registry with the referrers
// API, for the first image a replica sees on a registry and for later ones. Run: npm run bench:cold
// [-- --samples N] [-- --latency-ms N: added to each registry request by the proxy, a registry farther away]
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { RunningServe } from '../test/harness/serve';
import { closeAgents, podReview, reviewOn } from '../test/harness/serve-admit';
import { median, numberFlag, requestsDuring, startClusterStand, type ClusterStand } from './cluster/stand';

const IMAGES = 4;
const SIGNATURES = 5;
/** The policy trusts the last of the five signers. */
const TRUSTED = SIGNATURES - 1;

interface Sample {
  readonly ms: number;
  readonly requests: string[];
}

// coldValidate times one /validate of a pod of new images by digest, and lists the registry requests.
async function coldValidate(
  stand: ClusterStand,
  replica: RunningServe,
  digests: readonly string[],
): Promise<Sample> {
  const body = podReview(...digests.map((d) => stand.named(d)));
  const [ms, requests] = await requestsDuring(stand.proxy, async () => {
    const start = performance.now();
    const answer = await reviewOn(replica, stand.tls.cert, '/validate', body);
    if (!answer.allowed) throw new Error(`cold admission denied: ${answer.status?.message ?? ''}`);
    return performance.now() - start;
  });
  return { ms, requests };
}

let counter = 0;
// pushN pushes n new images signed by `signers` (in parallel) and answers their digests.
async function pushN(
  stand: ClusterStand,
  n: number,
  signers: readonly number[],
  format: 'legacy' | 'v3' = 'legacy',
): Promise<string[]> {
  const images = await Promise.all(
    Array.from({ length: n }, () => stand.push(`cold-${(counter += 1)}`, { signers, format })),
  );
  return images.map((i) => i.digest);
}

// ratio runs interleaved samples of 1×1 and 4×5 after one unmeasured warm-up of each.
async function ratio(stand: ClusterStand, replica: RunningServe, samples: number): Promise<string> {
  const all = Array.from({ length: SIGNATURES }, (_, i) => i);
  await coldValidate(stand, replica, await pushN(stand, 1, [TRUSTED]));
  await coldValidate(stand, replica, await pushN(stand, IMAGES, all));
  const one: Sample[] = [];
  const many: Sample[] = [];
  for (let i = 0; i < samples; i++) {
    one.push(await coldValidate(stand, replica, await pushN(stand, 1, [TRUSTED])));
    many.push(await coldValidate(stand, replica, await pushN(stand, IMAGES, all)));
  }
  const m1 = median(one.map((s) => s.ms));
  const m4 = median(many.map((s) => s.ms));
  return (
    `| 1 image × 1 signature | ${m1.toFixed(1)} | ${one.map((s) => s.ms.toFixed(0)).join(', ')} | ${median(one.map((s) => s.requests.length))} |\n` +
    `| ${IMAGES} images × ${SIGNATURES} signatures | ${m4.toFixed(1)} | ${many.map((s) => s.ms.toFixed(0)).join(', ')} | ${median(many.map((s) => s.requests.length))} |\n` +
    `\nratio (medians): ${(m4 / m1).toFixed(2)}×; per-sample ratios: ${one.map((s, i) => ((many[i]?.ms ?? NaN) / s.ms).toFixed(2)).join(', ')}\n`
  );
}

// requestsOf lists the registry requests of the first and of a later cold image, by digest, in `format`.
async function requestsOf(
  stand: ClusterStand,
  replica: RunningServe,
  format: 'legacy' | 'v3',
  signer: number,
  name: string,
): Promise<string> {
  const first = await coldValidate(stand, replica, await pushN(stand, 1, [signer], format));
  const later = await coldValidate(stand, replica, await pushN(stand, 1, [signer], format));
  const line = (s: Sample): string =>
    `${s.requests.length} (${s.requests.join(' · ')}), ${s.ms.toFixed(0)} ms`;
  return `| ${name} | ${line(first)} | ${line(later)} |\n`;
}

// main runs the ratio on distribution, then counts requests per format on distribution and on a referrers registry.
async function main(): Promise<void> {
  const samples = numberFlag(process.argv.slice(2), '--samples', 5);
  const latencyMs = numberFlag(process.argv.slice(2), '--latency-ms', 0);
  const out = process.stdout;
  const args = ['--drain-delay', '0s', '--log-level', 'warn'];
  const dist = await startClusterStand({ keys: SIGNATURES });
  const referrers = await startClusterStand({ referrers: true });
  dist.proxy.delayMs = latencyMs;
  referrers.proxy.delayMs = latencyMs;
  try {
    const counting = await dist.startReplica([
      ...args,
      '--policy-dir',
      await dist.policyDir('p0', { keyIndex: TRUSTED }),
    ]);
    const legacy = await requestsOf(dist, counting, 'legacy', TRUSTED, 'legacy `.sig`, distribution 2.8');
    const v3dist = await requestsOf(
      dist,
      counting,
      'v3',
      TRUSTED,
      'v3 bundle, distribution 2.8 (tag fallback)',
    );
    const timing = await dist.startReplica([
      ...args,
      '--policy-dir',
      await dist.policyDir('p1', { keyIndex: TRUSTED }),
    ]);
    const table = await ratio(dist, timing, samples);
    const r = await referrers.startReplica([...args, '--policy-dir', await referrers.policyDir('p')]);
    const v3ref = await requestsOf(referrers, r, 'v3', 0, 'v3 bundle, referrers API');
    out.write(
      `\ncold: ${samples} interleaved samples after one warm-up of each; ${latencyMs} ms added to each registry ` +
        `request; ${os.cpus().length} cores, load average ` +
        `${os.loadavg()[0]?.toFixed(1)} at the end\n\n| pod | wall ms p50 | samples | registry requests p50 |\n|---|---|---|---|\n` +
        `${table}\n| one image by digest | first on a fresh replica | later |\n|---|---|---|\n${legacy}${v3dist}${v3ref}`,
    );
  } finally {
    closeAgents();
    await Promise.all([dist.stop(), referrers.stop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
