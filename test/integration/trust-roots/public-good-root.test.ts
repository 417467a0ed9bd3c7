// The public-good TrustedRoot refreshed through a real TUF repository on loopback: a new root is picked up,
// and every kind of failure keeps the last good root and says why (log line and metric).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Metrics } from '../../../src/observability/metrics';
import { PublicGoodRoot, type RefreshResult } from '../../../src/trust-roots/public-good-root';
import { embeddedPublicGoodRoot } from '../../../src/verifiers/cosign/public-good';
import { startTufRepo, type TufRepo } from '../../harness/tuf-repo';
import { EMPTY_TRUSTED_ROOT, publicGoodRootText, rootWithRekorAt } from '../../harness/trusted-roots';

interface Logged {
  readonly level: number;
  readonly msg: string;
  readonly code?: string;
  readonly reason?: string;
}

let repo: TufRepo;

beforeEach(async () => {
  repo = await startTufRepo(publicGoodRootText());
});

afterEach(async () => {
  await repo.close();
});

// provider builds a PublicGoodRoot on the test mirror with a fresh cache, capturing its log lines.
function provider(url = repo.url, refreshTimeoutMs?: number) {
  const lines: Logged[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => lines.push(JSON.parse(line) as Logged) },
  );
  const metrics = new Metrics();
  const root = new PublicGoodRoot({
    mirror: {
      url,
      cacheDir: mkdtempSync(join(tmpdir(), 'tuf-cache-')),
      rootPath: repo.rootPath,
      refreshIntervalMs: 60_000,
    },
    logger,
    metrics,
    ...(refreshTimeoutMs === undefined ? {} : { refreshTimeoutMs }),
  });
  const counted = async (): Promise<Record<string, number>> => {
    const metric = await metrics.trustedRootRefreshes.get();
    return Object.fromEntries(metric.values.map((v) => [String(v.labels.result), v.value]));
  };
  return { root, lines, counted };
}

// expectFailure checks a refresh failed with `code`, kept the root in force and logged a warning saying why.
function expectFailure(
  result: RefreshResult,
  code: string,
  reason: RegExp,
  lines: readonly Logged[],
  kept: string,
  current: string,
): void {
  expect(result.outcome).toBe('failed');
  if (result.outcome !== 'failed') return;
  expect(result.error.code).toBe(code);
  expect(result.error.message).toMatch(reason);
  expect(current).toBe(kept);
  const warning = lines.find((l) => l.level === 40);
  expect(warning).toMatchObject({
    code,
    msg: expect.stringContaining('keeping the last good root') as string,
  });
  expect(warning?.reason).toMatch(reason);
}

describe('PublicGoodRoot through TUF', () => {
  test('starts with the embedded root; a refresh of the same root changes nothing', async () => {
    const { root, counted } = provider();
    expect(root.current().id).toBe(embeddedPublicGoodRoot().id);
    const result = await root.refresh();
    expect(result.outcome).toBe('unchanged');
    expect(root.current().id).toBe(embeddedPublicGoodRoot().id);
    expect(await counted()).toEqual({ unchanged: 1 });
    expect(repo.requests).toEqual(
      expect.arrayContaining(['/2.root.json', '/timestamp.json', '/1.snapshot.json']),
    );
  });

  test('(a) a refresh picks up a new trusted root the repository publishes', async () => {
    const { root, lines, counted } = provider();
    await root.refresh();
    const next = rootWithRekorAt('https://rekor.example.test');
    repo.publish(next);
    const result = await root.refresh();
    expect(result.outcome).toBe('updated');
    expect(root.current().source).toBe(`public-good (TUF ${repo.url})`);
    expect(root.current().root.tlogs[0]?.baseUrl).toBe('https://rekor.example.test');
    expect(root.current().id).not.toBe(embeddedPublicGoodRoot().id);
    expect(lines.some((l) => l.msg === 'public-good trusted root updated through TUF')).toBe(true);
    expect(await counted()).toEqual({ unchanged: 1, updated: 1 });
  });

  test('(b) a mirror that is down keeps the last good root', async () => {
    const { root, lines, counted } = provider();
    repo.publish(rootWithRekorAt('https://rekor.example.test'));
    await root.refresh();
    const good = root.current().id;
    repo.mode = 'unavailable';
    repo.publish(rootWithRekorAt('https://never-seen.example.test'));
    const result = await root.refresh();
    expectFailure(result, 'TRUST_ROOT_MIRROR_UNREACHABLE', /HTTP 503/, lines, good, root.current().id);
    expect(await counted()).toEqual({ updated: 1, mirror_unreachable: 1 });
  });

  test('(b) a mirror nobody listens on keeps the embedded root', async () => {
    const closed = repo.url;
    await repo.close();
    const { root, lines } = provider(closed);
    const result = await root.refresh();
    // Under jest, tuf-js rewraps fetch's error (another realm) and drops its cause, ECONNREFUSED.
    expectFailure(
      result,
      'TRUST_ROOT_MIRROR_UNREACHABLE',
      /fetch failed/,
      lines,
      embeddedPublicGoodRoot().id,
      root.current().id,
    );
    repo = await startTufRepo(publicGoodRootText()); // for afterEach
  });

  test('(b) a mirror that never answers: the refresh gives up at its timeout', async () => {
    const { root, lines } = provider(repo.url, 500);
    repo.mode = 'hang';
    const result = await root.refresh();
    expectFailure(
      result,
      'TRUST_ROOT_REFRESH_TIMEOUT',
      /within 500 ms/,
      lines,
      embeddedPublicGoodRoot().id,
      root.current().id,
    );
  });

  test('(c) a TUF-verified trusted_root.json that is not a usable root keeps the last good root', async () => {
    const { root, lines, counted } = provider();
    repo.publish(EMPTY_TRUSTED_ROOT);
    const result = await root.refresh();
    expectFailure(
      result,
      'TRUST_ROOT_INVALID',
      /passed TUF verification but is not a usable trusted root: .*can verify nothing/,
      lines,
      embeddedPublicGoodRoot().id,
      root.current().id,
    );
    expect(await counted()).toEqual({ invalid: 1 });
  });

  test('(d) tampered targets metadata is rejected by TUF and keeps the last good root', async () => {
    const { root, lines, counted } = provider();
    repo.publish(rootWithRekorAt('https://rekor.example.test'));
    await root.refresh();
    const good = root.current().id;
    repo.publishTampered(rootWithRekorAt('https://rekor.attacker.test'));
    const result = await root.refresh();
    expectFailure(result, 'TRUST_ROOT_TUF_REJECTED', /targets/i, lines, good, root.current().id);
    expect(root.current().root.tlogs[0]?.baseUrl).toBe('https://rekor.example.test');
    expect(await counted()).toEqual({ updated: 1, tuf_rejected: 1 });
  });

  test('after a failure, the next good refresh takes the new root', async () => {
    const { root } = provider();
    repo.mode = 'unavailable';
    expect((await root.refresh()).outcome).toBe('failed');
    repo.mode = 'serve';
    repo.publish(rootWithRekorAt('https://rekor.example.test'));
    expect((await root.refresh()).outcome).toBe('updated');
  });

  test('without a mirror nothing is fetched and the embedded root stays', async () => {
    const root = new PublicGoodRoot({ logger: pino({ level: 'silent' }) });
    root.start();
    expect(await root.refresh()).toEqual({ outcome: 'disabled' });
    expect(root.current()).toBe(embeddedPublicGoodRoot());
    await root.stop();
    expect(repo.requests).toEqual([]);
  });
});
