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

/** Starts timestamp-server on a port the kernel picks. */
export async function startTimestampAuthority(dir: string): Promise<TimestampAuthority> {
  await mkdir(dir, { recursive: true });
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
