// A real RFC 3161 timestamp authority (sigstore/timestamp-authority) on loopback, with its in-memory signer
// (a fresh root, intermediate and timestamping certificate each start) and no NTP monitoring (it would ask
// public NTP servers).
import { mkdir } from 'node:fs/promises';
import { startProcess, stopProcessGroup, START_TIMEOUT_MS } from '../process';
import { isolatedEnv, sigstoreTool } from './child-env';
import { waitForHttp } from './ports';

export interface TimestampAuthority {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `${url}/api/v1/timestamp`: where clients POST timestamp requests (the signing config's TSA URL). */
  readonly timestampUrl: string;
  /** The signer's chain, leaf first: the trusted root's timestamp authority. */
  readonly chainPem: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/**
 * timestamp-server always serves its metrics on :2112 (no flag moves or disables it) and exits when that port
 * is taken: by another timestamp-server of a test process running at the same time on this machine.
 */
const METRICS_PORT_TAKEN = /listen tcp :2112: bind: address already in use/;
/** How long a start waits for another timestamp-server to free :2112 (it lives as long as its test file). */
export const METRICS_PORT_WAIT_MS = 120_000;
/** Pause between two starts while :2112 is taken. */
const METRICS_PORT_RETRY_MS = 1000;

/** Starts timestamp-server on a port the kernel picks, waiting while another one holds its metrics port. */
export async function startTimestampAuthority(dir: string): Promise<TimestampAuthority> {
  await mkdir(dir, { recursive: true });
  const until = Date.now() + METRICS_PORT_WAIT_MS;
  for (;;) {
    try {
      return await startOnce(dir);
    } catch (e) {
      if (!(e instanceof Error) || !METRICS_PORT_TAKEN.test(e.message)) throw e;
      if (Date.now() >= until)
        throw new Error(
          `timestamp-server: its metrics port :2112 stayed taken for ${METRICS_PORT_WAIT_MS} ms ` +
            '(another timestamp-server on this machine?)',
          { cause: e },
        );
      await new Promise((r) => setTimeout(r, METRICS_PORT_RETRY_MS));
    }
  }
}

// startOnce starts one timestamp-server and reads its chain; any failure carries what the process printed.
async function startOnce(dir: string): Promise<TimestampAuthority> {
  const args = [
    'serve', '--host', '127.0.0.1', '--port', '0', '--timestamp-signer', 'memory',
    '--disable-ntp-monitoring', '--log-type', 'dev', '--cleanup-timeout', '1s',
  ]; // prettier-ignore
  const p = await startProcess(
    sigstoreTool('timestamp-server'),
    args,
    /Serving timestamp server at http:\/\/127\.0\.0\.1:(\d+)/,
    { cwd: dir, env: isolatedEnv(dir) },
  );
  const url = `http://127.0.0.1:${p.match[1]}`;
  const stop = (): Promise<void> => stopProcessGroup(p.pid);
  try {
    await waitForHttp(`${url}/ping`, p, START_TIMEOUT_MS);
    const res = await fetch(`${url}/api/v1/timestamp/certchain`, { signal: AbortSignal.timeout(5000) });
    const chainPem = await res.text();
    if (res.status !== 200) throw new Error(`certchain: ${res.status} ${chainPem}`);
    return { url, timestampUrl: `${url}/api/v1/timestamp`, chainPem, pid: p.pid, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
