// Loopback ports for servers that cannot be told to take port 0 (Fulcio's duplex server dials its own port;
// rekor-tiles refuses 0), and a readiness probe for their HTTP endpoints.
import { createServer, type Server } from 'node:net';
import type { Started } from '../process';

/** How many times a service is started again on new ports when the ones picked were taken meanwhile. */
export const PORT_ATTEMPTS = 3;

/** Picks `n` distinct loopback ports that are free now (held open together, so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => {
      const a = s.address();
      if (a === null || typeof a === 'string') throw new Error('no port');
      return a.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/**
 * Runs `start` with `n` fresh ports, again with new ones if it fails (another process may have bound a port
 * between picking and binding); the last failure is thrown.
 */
export async function withFreePorts<T>(n: number, start: (ports: number[]) => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    try {
      return await start(await freePorts(n));
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/**
 * Polls `url` until it answers with a status `ok` accepts; throws after `timeoutMs`, or as soon as the process
 * that should answer has exited (with what it printed).
 */
export async function waitForHttp(
  url: string,
  server: Started,
  timeoutMs: number,
  ok: (status: number) => boolean = (s) => s === 200,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`exited before ${url} answered:\n${server.output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (ok(res.status)) return;
      last = new Error(`status ${res.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer in ${timeoutMs} ms: ${String(last)}\n${server.output()}`);
}
