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
 * How long to wait for another timestamp-server to free the metrics port: timestamp-server always listens for
 * metrics on :2112 (no flag changes it), so only one runs at a time on a machine (another test file, another job).
 * Below the 180 s hook timeout of the integration tests.
 */
export const TSA_METRICS_PORT_WAIT_MS = 120_000;
/** Pause between two attempts while the metrics port is taken. */
const TSA_RETRY_PAUSE_MS = 500;
const METRICS_PORT_TAKEN = /:2112: bind: address already in use/;

/** Starts timestamp-server on a port the kernel picks, waiting while another one holds the metrics port. */
export async function startTimestampAuthority(dir: string): Promise<TimestampAuthority> {
  await mkdir(dir, { recursive: true });
  const deadline = Date.now() + TSA_METRICS_PORT_WAIT_MS;
  for (;;) {
    try {
      return await startOnce(dir);
    } catch (e) {
      if (!(e instanceof MetricsPortTaken) || Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, TSA_RETRY_PAUSE_MS));
    }
  }
}

/** The metrics port was taken: the process died at start (before or just after it said it was ready). */
class MetricsPortTaken extends Error {}

// startOnce starts one timestamp-server and reads its certificate chain.
async function startOnce(dir: string): Promise<TimestampAuthority> {
  const args = [
    'serve', '--host', '127.0.0.1', '--port', '0', '--timestamp-signer', 'memory',
    '--disable-ntp-monitoring', '--log-type', 'dev', '--cleanup-timeout', '1s',
  ]; // prettier-ignore
  let p: Awaited<ReturnType<typeof startProcess>>;
  try {
    p = await startProcess(
      sigstoreTool('timestamp-server'),
      args,
      /Serving timestamp server at http:\/\/127\.0\.0\.1:(\d+)/,
      { cwd: dir, env: isolatedEnv(dir) },
    );
  } catch (e) {
    throw e instanceof Error && METRICS_PORT_TAKEN.test(e.message) ? new MetricsPortTaken(e.message) : e;
  }
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
    throw METRICS_PORT_TAKEN.test(p.output()) ? new MetricsPortTaken(p.output()) : e;
  }
}
