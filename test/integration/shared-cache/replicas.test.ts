// Two real `portcullis serve` replicas on one real valkey-server, against a real registry behind a counting
// proxy: one verification cluster-wide for a new tag, a digest verified by one replica answered by the other
// with no registry request, a forged Valkey entry ignored, and Valkey killed mid-run falling back locally.
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { sealEntry } from '../../../src/shared-cache/envelope';
import type { RunningServe } from '../../harness/serve';
import {
  admit,
  podReview,
  requestsDuring,
  review,
  startReplicaStand,
  type ReplicaStand,
} from './replicas-helpers';
import { rawClient } from './helpers';

/** Concurrent admissions of one new tag, spread over the replicas. */
const ADMISSIONS = 40;
/** serve's key prefix (SHARED_CACHE_KEY_PREFIX). */
const PREFIX = 'portcullis';

let stand: ReplicaStand;
let a: RunningServe;
let b: RunningServe;

beforeAll(async () => {
  stand = await startReplicaStand(2);
  [a, b] = stand.replicas as [RunningServe, RunningServe];
});

afterAll(async () => {
  await stand?.stop();
});

// metricsOf reads a replica's /metrics over HTTPS.
function metricsOf(replica: RunningServe): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: replica.port, path: '/metrics', ca: stand.tls.cert, agent: false },
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

// counter reads one series of a counter from a /metrics text (0 when absent).
function counter(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

it('verifies a new tag once cluster-wide when admissions are spread over the replicas', async () => {
  const image = await stand.push('rollout');
  const ref = stand.named('rollout');
  const [answers, seen] = await requestsDuring(stand.proxy, () =>
    Promise.all(
      Array.from({ length: ADMISSIONS }, (_, i) => admit(stand, i % 2 === 0 ? a : b, podReview(ref))),
    ),
  );
  expect(answers.filter((r) => !r.allowed)).toEqual([]);
  const sig = `sha256-${image.digest.slice('sha256:'.length)}.sig`;
  expect(seen.filter((r) => r.endsWith('/manifests/rollout'))).toHaveLength(1);
  expect(seen.filter((r) => r.endsWith(`/manifests/${sig}`))).toHaveLength(1);
  expect(seen.filter((r) => r.includes('/blobs/'))).toHaveLength(1);
});

it('answers on the second replica a digest the first verified, with no registry request', async () => {
  const image = await stand.push('handover');
  const body = podReview(stand.named(image.digest));
  expect((await review(stand, a, '/validate', body)).allowed).toBe(true);
  const [answer, seen] = await requestsDuring(stand.proxy, () => review(stand, b, '/validate', body));
  expect(answer.allowed).toBe(true);
  expect(seen).toEqual([]);
});

it('ignores a forged "allowed" entry written straight into Valkey and denies the unsigned image', async () => {
  const raw = rawClient(stand.valkey.port);
  try {
    const unsigned = await stand.push('unsigned', false);
    const body = podReview(stand.named(unsigned.digest));
    const before = new Set(await raw.keys(`${PREFIX}:negative:*`));
    expect((await review(stand, a, '/validate', body)).allowed).toBe(false);
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
    const rejectedBefore = counter(
      await metricsOf(b),
      'portcullis_shared_cache_rejected_total{kind="verdict",reason="forged"}',
    );
    const answer = await review(stand, b, '/validate', body);
    expect(answer.allowed).toBe(false);
    expect(
      counter(await metricsOf(b), 'portcullis_shared_cache_rejected_total{kind="verdict",reason="forged"}'),
    ).toBeGreaterThan(rejectedBefore);
  } finally {
    await raw.quit();
  }
});

it('falls back to local verification when Valkey is killed mid-run: no failed admission, nothing unsigned', async () => {
  const signed = await Promise.all([0, 1, 2, 3].map((i) => stand.push(`killed-${i}`)));
  const unsigned = await stand.push('killed-unsigned', false);
  const round = (tag: string): Promise<Awaited<ReturnType<typeof admit>>[]> =>
    Promise.all(
      Array.from({ length: 10 }, (_, i) => admit(stand, i % 2 === 0 ? a : b, podReview(stand.named(tag)))),
    );
  const first = round('killed-0');
  setTimeout(() => stand.valkey.kill(), 20);
  const answers = [...(await first), ...(await round('killed-1'))];
  for (const tag of ['killed-2', 'killed-3']) answers.push(...(await round(tag)));
  expect(answers.filter((r) => !r.allowed)).toEqual([]);
  expect(signed).toHaveLength(4);
  const denied = await Promise.all(
    [a, b].map((r) => admit(stand, r, podReview(stand.named(unsigned.digest)))),
  );
  expect(denied.map((r) => r.allowed)).toEqual([false, false]);
  for (const r of [a, b])
    expect(
      counter(await metricsOf(r), 'portcullis_shared_cache_fallback_total{op="get"}') +
        counter(await metricsOf(r), 'portcullis_shared_cache_fallback_total{op="lock"}'),
    ).toBeGreaterThan(0);
});
