// Two real `portcullis serve` replicas on one real valkey-server, against a real registry behind a counting
// proxy: one verification cluster-wide for a new tag, a digest verified by one replica answered by the other
// with no registry request, a forged Valkey entry ignored, and Valkey killed mid-run falling back locally.
import { randomBytes } from 'node:crypto';
import { sealEntry } from '../../../src/shared-cache/envelope';
import type { RunningServe } from '../../harness/serve';
import { admitOn, closeAgents, counterIn, metricsText, podReview, reviewOn } from '../../harness/serve-admit';
import type { ReviewResponse } from '../../harness/webhook';
import { requestsDuring, startReplicaStand, type ReplicaStand } from './replicas-helpers';
import { rawClient } from './helpers';

/** Concurrent admissions of one new tag, spread over the replicas. */
const ADMISSIONS = 40;
/** serve's key prefix (SHARED_CACHE_KEY_PREFIX). */
const PREFIX = 'portcullis';

let stand: ReplicaStand;
let a: RunningServe;
let b: RunningServe;

// admit, review and counter on the stand's replicas (trusting its certificate).
const admit = (r: RunningServe, body: Record<string, unknown>): Promise<ReviewResponse> =>
  admitOn(r, stand.tls.cert, body);
const review = (r: RunningServe, url: '/mutate' | '/validate', body: Record<string, unknown>) =>
  reviewOn(r, stand.tls.cert, url, body);
const counter = async (r: RunningServe, series: string): Promise<number> =>
  counterIn(await metricsText(r, stand.tls.cert), series);

beforeAll(async () => {
  stand = await startReplicaStand(2);
  [a, b] = stand.replicas as [RunningServe, RunningServe];
});

afterAll(async () => {
  closeAgents();
  await stand?.stop();
});

// bypasses counts, over both replicas, the times Valkey was skipped: an operation past its 50 ms timeout (a
// fallback) or a waiter that reached its margin. Each may add one resolution or verification, by design.
async function bypasses(): Promise<number> {
  let n = 0;
  for (const r of [a, b]) {
    const lines = (await metricsText(r, stand.tls.cert)).split('\n');
    for (const l of lines)
      if (
        l.startsWith('portcullis_shared_cache_fallback_total{') ||
        l.startsWith('portcullis_shared_cache_lock_waits_total{outcome="timeout"}')
      )
        n += Number(l.slice(l.lastIndexOf(' ') + 1));
  }
  return n;
}

it('verifies a new tag once cluster-wide when admissions are spread over the replicas', async () => {
  const image = await stand.push('rollout');
  const ref = stand.named('rollout');
  const skippedBefore = await bypasses();
  const [answers, seen] = await requestsDuring(stand.proxy, () =>
    Promise.all(Array.from({ length: ADMISSIONS }, (_, i) => admit(i % 2 === 0 ? a : b, podReview(ref)))),
  );
  const skipped = (await bypasses()) - skippedBefore;
  expect(answers.filter((r) => !r.allowed)).toEqual([]);
  const sig = `sha256-${image.digest.slice('sha256:'.length)}.sig`;
  const counts = {
    resolutions: seen.filter((r) => r.endsWith('/manifests/rollout')).length,
    signatures: seen.filter((r) => r.endsWith(`/manifests/${sig}`)).length,
    blobs: seen.filter((r) => r.includes('/blobs/')).length,
  };
  // Exactly one of each while Valkey answers in time. On an overloaded machine a Valkey call can pass its
  // 50 ms timeout; the replica then works alone (never waits, never fails), which the metrics count.
  if (skipped === 0) expect(counts).toEqual({ resolutions: 1, signatures: 1, blobs: 1 });
  for (const n of Object.values(counts)) {
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(1 + skipped);
  }
});

it('answers on the second replica a digest the first verified, with no registry request', async () => {
  const image = await stand.push('handover');
  const body = podReview(stand.named(image.digest));
  expect((await review(a, '/validate', body)).allowed).toBe(true);
  const [answer, seen] = await requestsDuring(stand.proxy, () => review(b, '/validate', body));
  expect(answer.allowed).toBe(true);
  expect(seen).toEqual([]);
});

it('ignores a forged "allowed" entry written straight into Valkey and denies the unsigned image', async () => {
  const raw = rawClient(stand.valkey.port);
  try {
    const unsigned = await stand.push('unsigned', false);
    const body = podReview(stand.named(unsigned.digest));
    const before = new Set(await raw.keys(`${PREFIX}:negative:*`));
    expect((await review(a, '/validate', body)).allowed).toBe(false);
    // The negative result replica A stored names the entry key of this (digest, policy, authority).
    const added = (await raw.keys(`${PREFIX}:negative:*`)).filter((k) => !before.has(k));
    expect(added).toHaveLength(1);
    const hash = (added[0] as string).slice(`${PREFIX}:negative:`.length);
    // The attacker can write Valkey but does not hold the HMAC key: a well-formed envelope, a wrong MAC.
    const forged = sealEntry(
      randomBytes(32),
      'verdict',
      'unknown to the attacker',
      JSON.stringify({ summary: 'forged', warnings: [] }),
      Date.now() + 600_000,
    );
    await raw.set(`${PREFIX}:verdict:${hash}`, forged, 'PX', 600_000);
    await raw.del(added[0] as string);
    const forgedSeries = 'portcullis_shared_cache_rejected_total{kind="verdict",reason="forged"}';
    const rejectedBefore = await counter(b, forgedSeries);
    const answer = await review(b, '/validate', body);
    expect(answer.allowed).toBe(false);
    expect(await counter(b, forgedSeries)).toBeGreaterThan(rejectedBefore);
  } finally {
    await raw.quit();
  }
});

it('falls back to local verification when Valkey is killed mid-run: no failed admission, nothing unsigned', async () => {
  const signed = await Promise.all([0, 1, 2, 3].map((i) => stand.push(`killed-${i}`)));
  const unsigned = await stand.push('killed-unsigned', false);
  const round = (tag: string): Promise<ReviewResponse[]> =>
    Promise.all(
      Array.from({ length: 10 }, (_, i) => admit(i % 2 === 0 ? a : b, podReview(stand.named(tag)))),
    );
  const first = round('killed-0');
  setTimeout(() => stand.valkey.kill(), 20);
  const answers = [...(await first), ...(await round('killed-1'))];
  for (const tag of ['killed-2', 'killed-3']) answers.push(...(await round(tag)));
  expect(answers.filter((r) => !r.allowed)).toEqual([]);
  expect(signed).toHaveLength(4);
  const denied = await Promise.all([a, b].map((r) => admit(r, podReview(stand.named(unsigned.digest)))));
  expect(denied.map((r) => r.allowed)).toEqual([false, false]);
  for (const r of [a, b])
    expect(
      (await counter(r, 'portcullis_shared_cache_fallback_total{op="get"}')) +
        (await counter(r, 'portcullis_shared_cache_fallback_total{op="lock"}')),
    ).toBeGreaterThan(0);
});
