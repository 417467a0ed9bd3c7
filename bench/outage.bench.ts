// Benchmark (issue 12): a registry outage. N images are verified by tag on two replicas, one whose policy says
// `registry.onError: allowVerified` and one with the default (`deny`); then the registry goes away, first as a
// blip (the proxy answers 503), then down (the proxy refuses connections). During each, pods of the verified
// images and of N signed but never-verified images are admitted by tag (/mutate, then /validate) and by digest
// (/validate). Goal: with allowVerified 100% of verified and 0% of never-verified; without it 0%.
// Run: npm run bench:outage [-- --images N]
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { PushedImage } from '../test/harness/images';
import type { RunningServe } from '../test/harness/serve';
import { admitOn, closeAgents, podReview, reviewOn } from '../test/harness/serve-admit';
import type { ReviewResponse } from '../test/harness/webhook';
import { median, numberFlag, startClusterStand, type ClusterStand } from './cluster/stand';

/** The policy lines of the allowVerified replica. */
const ALLOW_VERIFIED = ['registry: {onError: allowVerified, maxStaleness: 1h}'];

interface Cell {
  readonly allowed: number;
  readonly warned: number;
  readonly of: number;
  readonly msP50: number;
}

// cell admits every image at once and counts the admitted ones (and those admitted with a warning).
async function cell(
  stand: ClusterStand,
  replica: RunningServe,
  images: readonly { tag: string; image: PushedImage }[],
  by: 'tag' | 'digest',
): Promise<Cell> {
  const times: number[] = [];
  const answers = await Promise.all(
    images.map(async ({ tag, image }): Promise<ReviewResponse | undefined> => {
      const start = performance.now();
      try {
        return by === 'tag'
          ? await admitOn(replica, stand.tls.cert, podReview(stand.named(tag)))
          : await reviewOn(replica, stand.tls.cert, '/validate', podReview(stand.named(image.digest)));
      } catch {
        return undefined; // an HTTP failure is not an admission
      } finally {
        times.push(performance.now() - start);
      }
    }),
  );
  const allowed = answers.filter((a) => a?.allowed === true);
  return {
    allowed: allowed.length,
    warned: allowed.filter((a) => (a?.warnings ?? []).length > 0).length,
    of: images.length,
    msP50: median(times),
  };
}

// pct renders a cell as "allowed/of (percent)".
function pct(c: Cell): string {
  return `${c.allowed}/${c.of} (${Math.round((100 * c.allowed) / c.of)}%, ${c.warned} warned; p50 ${Math.round(c.msP50)} ms)`;
}

// main verifies, then runs the blip and the down phase on both replicas.
async function main(): Promise<void> {
  const n = numberFlag(process.argv.slice(2), '--images', 20);
  const stand = await startClusterStand();
  try {
    const common = ['--drain-delay', '0s', '--log-level', 'warn', '--tag-ttl', '0'];
    const replicas = {
      allowVerified: await stand.startReplica([
        ...common,
        '--policy-dir',
        await stand.policyDir('allow-verified', { extraSpec: ALLOW_VERIFIED }),
      ]),
      deny: await stand.startReplica([...common, '--policy-dir', await stand.policyDir('deny')]),
    };
    const push = (prefix: string) =>
      Promise.all(
        Array.from({ length: n }, async (_, i) => ({
          tag: `${prefix}-${i}`,
          image: await stand.push(`${prefix}-${i}`),
        })),
      );
    const verified = await push('verified');
    const never = await push('never');
    for (const r of Object.values(replicas)) {
      const before = await cell(stand, r, verified, 'tag');
      if (before.allowed !== n) throw new Error(`only ${before.allowed}/${n} verified before the outage`);
    }
    const rows: string[] = [];
    for (const outage of ['blip (503)', 'down (refused)'] as const) {
      if (outage === 'blip (503)') stand.proxy.failing = true;
      else await stand.proxy.close();
      for (const [name, r] of Object.entries(replicas)) {
        const cells = [
          await cell(stand, r, verified, 'tag'),
          await cell(stand, r, never, 'tag'),
          await cell(stand, r, verified, 'digest'),
          await cell(stand, r, never, 'digest'),
        ];
        rows.push(`| ${outage} | ${name} | ${cells.map(pct).join(' | ')} |`);
      }
    }
    process.stdout.write(
      `\noutage: ${n} verified and ${n} never-verified signed images; serve --tag-ttl 0 (every tag is resolved, ` +
        `as after the TTL); ${os.cpus().length} cores, load average ${os.loadavg()[0]?.toFixed(1)} at the end\n\n` +
        '| outage | policy | verified, by tag | never verified, by tag | verified, by digest | never verified, by digest |\n' +
        '|---|---|---|---|---|---|\n' +
        `${rows.join('\n')}\n`,
    );
  } finally {
    closeAgents();
    await stand.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
