// Benchmark: the verdict cache alone (no I/O), at its real bound, on the operations the engine does per image.
// Run: npx tsx bench/verdict-cache.bench.ts  (also run by hack/bench.sh; compare runs on one machine).
import { performance } from 'node:perf_hooks';
import { MAX_CACHED_VERDICTS } from '../src/engine/limits';
import { VerdictCache } from '../src/engine/verdict-cache';

/** Operations per measured scenario. */
const OPERATIONS = 1_000_000;
const VERDICT = { summary: 'cosign bundle sha256:ab12 signed by key sha256:cd34', warnings: [] };

// opsPerSecond runs fn `n` times (after a warm-up of n/10) and returns operations per second.
function opsPerSecond(n: number, fn: (i: number) => void): number {
  for (let i = 0; i < n / 10; i++) fn(i);
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return (n / (performance.now() - start)) * 1000;
}

const keys = Array.from({ length: 2 * MAX_CACHED_VERDICTS }, (_, i) =>
  VerdictCache.key(`sha256:${i.toString(16).padStart(64, '0')}`, 'ClusterImagePolicy/p@1', 'a'),
);
const at = (i: number): string => keys[i % keys.length] ?? '';
const full = new VerdictCache();
for (let i = 0; i < MAX_CACHED_VERDICTS; i++) full.set(at(i), VERDICT);

const rows: [string, number][] = [
  ['get, hit (full cache)', opsPerSecond(OPERATIONS, (i) => void full.get(at(i % MAX_CACHED_VERDICTS)))],
  ['get, miss (full cache)', opsPerSecond(OPERATIONS, (i) => void full.get(`absent ${i % 100}`))],
  ['set, each evicting one (full cache)', opsPerSecond(OPERATIONS, (i) => full.set(at(i), VERDICT))],
];
process.stdout.write(`| verdict cache (${MAX_CACHED_VERDICTS} entries) | ops/s |\n|---|---|\n`);
for (const [name, ops] of rows)
  process.stdout.write(`| ${name} | ${Math.round(ops).toLocaleString('en')} |\n`);
