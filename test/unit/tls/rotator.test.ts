// TlsRotator against an in-memory API (FakeCluster) with an injected clock: a whole CA lifetime, replicas
// racing through resourceVersion, and the errors it reports.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DAY_MS,
  DEFAULT_ROTATION_DURATIONS,
  TlsError,
  TlsRotator,
  toTlsMaterial,
  X509_ISSUER,
  type RotationActionKind,
  type TlsKubeClients,
  type TlsRotatorOptions,
} from '../../../src/tls';
import { captureLogger } from '../kube/fakes';
import { FakeCluster } from './fake-cluster';
import { bootstrapSecret, DNS_NAMES, issuerIn } from './helpers';

const T0 = Date.UTC(2030, 0, 1);
const NAMES = { validating: 'portcullis', mutating: 'portcullis' };
const CA_DAYS = 365;
/** A short serving lifetime so renewals happen several times within one CA lifetime. */
const SERVING_DAYS = 90;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tls-rotator-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// rotator builds one replica on `clients`, writing into its own folder under `dir`; `extra` overrides options.
function rotator(
  clients: TlsKubeClients,
  clock: () => number,
  replica = 'a',
  extra: Partial<TlsRotatorOptions> = {},
): TlsRotator {
  return new TlsRotator({
    clients,
    secret: { namespace: 'portcullis-system', name: 'portcullis-tls' },
    webhooks: [
      { kind: 'validating', name: NAMES.validating },
      { kind: 'mutating', name: NAMES.mutating },
    ],
    dnsNames: DNS_NAMES,
    files: { certPath: join(dir, `${replica}.crt`), keyPath: join(dir, `${replica}.key`) },
    logger: captureLogger('warn').logger,
    now: clock,
    ...extra,
  });
}

// installed is a fake cluster as right after `helm install`: the bootstrap Secret, its CA in every caBundle.
async function installed(): Promise<{ cluster: FakeCluster; caPem: string }> {
  const { secret, caPem } = await bootstrapSecret(T0, CA_DAYS * DAY_MS, SERVING_DAYS * DAY_MS);
  const cluster = new FakeCluster(secret, NAMES);
  cluster.setBundles(caPem);
  return { cluster, caPem };
}

// served reads the certificate a replica serves (what its files hold).
function served(replica = 'a'): string {
  return readFileSync(join(dir, `${replica}.crt`), 'utf8');
}

describe('TlsRotator over a CA lifetime', () => {
  test('rolls the CA over with old+new in caBundle during the overlap, and never serves an untrusted cert', async () => {
    const { cluster, caPem } = await installed();
    let now = T0;
    const r = rotator(cluster.clients(), () => now);
    const timeline: { day: number; steps: readonly RotationActionKind[]; cas: number }[] = [];
    let issuerAtStart: string | undefined;
    for (let t = T0; t <= T0 + 400 * DAY_MS; t += DAY_MS / 2) {
      now = t;
      const report = await r.tick();
      const bundles = cluster.bundles();
      // No downtime: every webhook trusts the CA of the served certificate, at every step.
      for (const bundle of bundles) expect(issuerIn(bundle, served())).toBeDefined();
      const cas = toTlsMaterial(cluster.secret!).cas.length;
      if (report.steps.length > 0) timeline.push({ day: (t - T0) / DAY_MS, steps: report.steps, cas });
      issuerAtStart ??= issuerIn(bundles[0] as string, served());
    }
    const steps = timeline.flatMap((e) => e.steps);
    expect(steps).not.toContain('reissue-all');
    expect(steps.filter((s) => s === 'start-rollover')).toHaveLength(1);
    expect(steps.filter((s) => s === 'finish-rollover')).toHaveLength(1);
    expect(steps.filter((s) => s === 'drop-old-ca')).toHaveLength(1);
    // Serving renewals at 2/3 of 90 days: at day 60, 120, 180, 240, 300, then on the new CA.
    expect(steps.filter((s) => s === 'renew-serving').length).toBeGreaterThanOrEqual(5);
    const day = (kind: RotationActionKind): number =>
      timeline.find((e) => e.steps.includes(kind))?.day ?? NaN;
    expect(day('start-rollover')).toBe(CA_DAYS - 30);
    expect(day('finish-rollover') - day('start-rollover')).toBe(1);
    expect(day('drop-old-ca') - day('finish-rollover')).toBe(1);
    // The bundle holds two CAs from the rollover's start until the drop, and one otherwise.
    expect(timeline.find((e) => e.steps.includes('start-rollover'))?.cas).toBe(2);
    expect(timeline.find((e) => e.steps.includes('drop-old-ca'))?.cas).toBe(1);
    for (const bundle of cluster.bundles()) expect(bundle).not.toContain(caPem.trim());
    expect(issuerAtStart?.trim()).toBe(caPem.trim());
  }, 60_000);

  test('between the rollover’s start and finish the old CA still signs; both CAs are in every caBundle', async () => {
    const { cluster, caPem } = await installed();
    let now = T0 + (CA_DAYS - 30) * DAY_MS;
    const r = rotator(cluster.clients(), () => now);
    const started = await r.tick();
    expect(started.steps).toEqual(
      expect.arrayContaining(['start-rollover', 'publish-bundle', 'record-published']),
    );
    const bundles = cluster.bundles();
    expect(new Set(bundles).size).toBe(1);
    const [oldCa, newCa] = toTlsMaterial(cluster.secret!).cas;
    expect(oldCa?.trim()).toBe(caPem.trim());
    expect(bundles[0]).toContain(newCa?.trim());
    expect(bundles[0]).toContain(oldCa?.trim());
    expect(issuerIn(oldCa as string, served())).toBeDefined();

    now += DEFAULT_ROTATION_DURATIONS.overlapMs - 1;
    expect((await r.tick()).steps).toEqual([]);
    now += 1;
    expect((await r.tick()).steps).toEqual(['finish-rollover']);
    expect(issuerIn(newCa as string, served())).toBeDefined();
    for (const b of cluster.bundles()) expect(b).toContain(oldCa?.trim());

    now += DEFAULT_ROTATION_DURATIONS.overlapMs;
    expect((await r.tick()).steps).toEqual(['drop-old-ca', 'publish-bundle', 'record-published']);
    for (const b of cluster.bundles()) expect(b.trim()).toBe(newCa?.trim());
  });
});

describe('TlsRotator replicas', () => {
  test('two replicas racing to start the rollover create one new CA; the loser re-reads', async () => {
    const { cluster } = await installed();
    const now = T0 + (CA_DAYS - 10) * DAY_MS;
    const [a, b] = [rotator(cluster.clients(), () => now, 'a'), rotator(cluster.clients(), () => now, 'b')];
    await Promise.all([a.tick(), b.tick()]);
    expect(cluster.conflicts).toBeGreaterThan(0);
    expect(toTlsMaterial(cluster.secret!).cas).toHaveLength(2);
    for (const bundle of cluster.bundles()) expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(served('a')).toBe(served('b'));
  });

  test('the timer loop ticks until stopped', async () => {
    const { cluster } = await installed();
    const r = rotator(cluster.clients(), () => T0, 't', { intervalMs: 5 });
    r.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await r.stop();
    expect(readFileSync(join(dir, 't.crt'), 'utf8')).toBe(toTlsMaterial(cluster.secret!).cert);
    expect(cluster.secretWrites).toBe(1); // record-published, once
  });
});

describe('TlsRotator errors and repairs', () => {
  test.each([
    ['the Secret does not exist', 'TLS_SECRET_NOT_FOUND', (c: FakeCluster) => (c.secret = undefined)],
    [
      'a webhook configuration does not exist',
      'TLS_WEBHOOK_CONFIG_NOT_FOUND',
      (c: FakeCluster) => c.configs.clear(),
    ],
  ])('%s → %s', async (_name, code, breakIt) => {
    const { secret } = await bootstrapSecret(T0, CA_DAYS * DAY_MS, SERVING_DAYS * DAY_MS);
    const cluster = new FakeCluster(secret, NAMES);
    breakIt(cluster);
    await expect(rotator(cluster.clients(), () => T0).tick()).rejects.toThrowWithCode(code, {
      instanceOf: TlsError,
    });
  });

  test('an unwritable serving folder is TLS_FILE_WRITE_FAILED', async () => {
    const { cluster } = await installed();
    const r = rotator(cluster.clients(), () => T0, 'x', {
      files: { certPath: join(dir, 'missing', 'x.crt'), keyPath: join(dir, 'missing', 'x.key') },
    });
    await expect(r.tick()).rejects.toThrowWithCode('TLS_FILE_WRITE_FAILED', { instanceOf: TlsError });
  });

  test('a Secret with a broken CA gets a new CA at once (downtime unavoidable) and it is published', async () => {
    const { secret } = await bootstrapSecret(T0, CA_DAYS * DAY_MS, SERVING_DAYS * DAY_MS);
    secret.data = { ...secret.data, 'ca.crt': Buffer.from('not a certificate').toString('base64') };
    const cluster = new FakeCluster(secret, NAMES);
    const report = await rotator(cluster.clients(), () => T0).tick();
    expect(report.steps).toEqual(['reissue-all', 'publish-bundle', 'record-published']);
    const [ca] = toTlsMaterial(cluster.secret!).cas;
    for (const bundle of cluster.bundles()) expect(issuerIn(bundle, served())?.trim()).toBe(ca?.trim());
  });

  test('a step that does not take effect is TLS_STEP_NO_EFFECT, not an endless loop', async () => {
    const { cluster } = await installed();
    const r = rotator(cluster.clients(), () => T0 + 61 * DAY_MS, 'n', {
      // An issuer that leaves out the webhook's names: every renewal is still due.
      issuer: {
        ...X509_ISSUER,
        issueServing: (n, v, ca) => X509_ISSUER.issueServing(n, v, ca, ['other.test']),
      },
    });
    await expect(r.tick()).rejects.toThrowWithCode('TLS_STEP_NO_EFFECT', {
      instanceOf: TlsError,
      details: { step: 'renew-serving' },
    });
    expect(cluster.secretWrites).toBe(2); // record-published, then one renewal
  });

  test('a webhook with a stale caBundle is re-published without touching the Secret', async () => {
    const { cluster, caPem } = await installed();
    const r = rotator(cluster.clients(), () => T0);
    await r.tick();
    const writes = cluster.secretWrites;
    cluster.setBundles('');
    expect((await r.tick()).steps).toEqual(['publish-bundle']);
    expect(cluster.secretWrites).toBe(writes);
    for (const bundle of cluster.bundles()) expect(bundle).toBe(caPem);
  });
});
