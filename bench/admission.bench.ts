// Benchmark: admission latency through the real app (inject), real registries and real cosign signatures.
// Run: bash hack/bench.sh  (prints one table; numbers depend on the machine — compare runs on one machine).
import { performance } from 'node:perf_hooks';
import { cosignSign, generateCosignKey } from '../test/harness/cosign';
import { pushRandomImage } from '../test/harness/images';
import { startDistribution, startReferrersRegistry } from '../test/harness/registries';
import {
  admissionReview,
  admitThroughBoth,
  buildTestWebhook,
  cosignPolicy,
  podObject,
} from '../test/harness/webhook';
import { parseImageReference } from '../src/reference';

/** Requests per measured scenario. */
const ITERATIONS = 200;

// percentile picks the p-th percentile of sorted samples (ms).
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

// measure runs fn `n` times sequentially and returns latency percentiles in ms.
async function measure(
  n: number,
  fn: (i: number) => Promise<void>,
): Promise<{ p50: number; p95: number; p99: number; rps: number }> {
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  const total = performance.now() - start;
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    rps: (n / total) * 1000,
  };
}

// main sets up registries and signatures, then measures each scenario.
async function main(): Promise<void> {
  const oci = await startReferrersRegistry();
  const dist = await startDistribution();
  try {
    const key = await generateCosignKey();
    const v3 = await pushRandomImage(oci.host, 'bench/app', 'v3');
    const legacy = await pushRandomImage(dist.host, 'bench/app', 'legacy');
    await cosignSign(key, v3.ref, 'v3');
    await cosignSign(key, legacy.ref, 'legacy');
    const hook = await buildTestWebhook(
      {
        'p.yaml': cosignPolicy('bench', [`${oci.host}/bench/**`, `${dist.host}/bench/**`], key.publicKeyPem),
      },
      { insecureRegistry: [oci.host, dist.host] },
    );
    // post admits a Pod the way the API server does: /mutate pins the tag, then /validate judges the digest.
    const post = async (image: string): Promise<void> => {
      const r = await admitThroughBoth(hook.app, admissionReview(podObject({ a: image })));
      if (!r.allowed) throw new Error(`not allowed: ${image}: ${r.status?.message ?? ''}`);
    };
    const rows: [string, Awaited<ReturnType<typeof measure>>][] = [];
    rows.push([
      'tag, v3 bundle, /mutate + /validate, verdict cached (tag resolved each time)',
      await measure(ITERATIONS, () => post(`${oci.host}/bench/app:v3`)),
    ]);
    rows.push([
      'digest, v3 bundle, /mutate + /validate, verdict cached (HEAD by digest)',
      await measure(ITERATIONS, () => post(v3.ref)),
    ]);
    rows.push([
      'tag, legacy .sig, /mutate + /validate, verdict cached',
      await measure(ITERATIONS, () => post(`${dist.host}/bench/app:legacy`)),
    ]);
    // Cold: a new policy generation per request would be artificial; instead use a fresh webhook (empty cache) each time.
    const cold = await measure(20, async () => {
      const fresh = await buildTestWebhook(
        { 'p.yaml': cosignPolicy('bench', [`${oci.host}/bench/**`], key.publicKeyPem) },
        { insecureRegistry: [oci.host] },
      );
      const r = await admitThroughBoth(
        fresh.app,
        admissionReview(podObject({ a: `${oci.host}/bench/app:v3` })),
      );
      await fresh.app.close();
      if (!r.allowed) throw new Error('cold not allowed');
    });
    rows.push([
      'cold: new webhook, v3 bundle, /mutate + /validate, full verification (includes app build)',
      cold,
    ]);
    const parse = await measure(100_000, async () => {
      parseImageReference('registry.example.com:5000/team/app:1.2.3@sha256:' + 'a'.repeat(64));
    });
    rows.push(['parseImageReference (no I/O)', parse]);
    await hook.app.close();
    process.stdout.write(
      '| scenario | p50 ms | p95 ms | p99 ms | req/s (sequential) |\n|---|---|---|---|---|\n',
    );
    for (const [name, r] of rows) {
      process.stdout.write(
        `| ${name} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.rps.toFixed(0)} |\n`,
      );
    }
  } finally {
    await oci.stop();
    await dist.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
