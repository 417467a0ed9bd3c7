// Measures what 10,000 cached verdicts cost in memory: the engine's VerdictCache filled in this fresh
// process with entries shaped like the serve process's (real key format, a real summary with a distinct
// digest in each). Pushing and signing 10,000 images for the serve process would take too long.
// Run by bench/webhook-load.bench.ts as `node --expose-gc --import tsx verdict-memory.ts SUMMARY POLICYKEY`;
// prints one JSON line.
import { createHash } from 'node:crypto';
import { MAX_CACHED_VERDICTS } from '../../src/engine/limits';
import { VerdictCache } from '../../src/engine/verdict-cache';

/** Stands in the summary template for each entry's own digest (hex). */
export const DIGEST_PLACEHOLDER = '<hex>';

// settled collects garbage twice (weak references and finalisers need a second pass) and reads memory.
function settled(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  return process.memoryUsage();
}

const [template = `cosign signature sha256:${DIGEST_PLACEHOLDER} verified`, policyKey = 'p@1:0'] =
  process.argv.slice(2);
const cache = new VerdictCache();
const before = settled();
for (let i = 0; i < MAX_CACHED_VERDICTS; i++) {
  const hex = createHash('sha256').update(`image ${i}`).digest('hex');
  const sig = createHash('sha256').update(`signature ${i}`).digest('hex');
  cache.set(VerdictCache.key(`sha256:${hex}`, policyKey, 'release-manager'), {
    summary: template.split(DIGEST_PLACEHOLDER).join(sig),
    warnings: [],
  });
}
const after = settled();
process.stdout.write(
  `${JSON.stringify({
    entries: cache.size,
    heapDelta: after.heapUsed - before.heapUsed,
    rssDelta: after.rss - before.rss,
    rssBefore: before.rss,
    rssAfter: after.rss,
  })}\n`,
);
