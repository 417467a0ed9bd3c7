import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { REPO_ROOT } from './tools';

/** How long `portcullis serve` may take to answer /readyz (cluster mode waits for the informers' sync). */
export const SERVE_READY_TIMEOUT_MS = 60_000;

/** A `portcullis serve` process listening with TLS on 127.0.0.1. */
export interface RunningServe {
  readonly port: number;
  readonly url: string;
  /** Everything the process wrote to stderr so far (its JSON log lines). */
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Asks the kernel for a port that is free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// get fetches a path over HTTPS trusting only `ca`; resolves the status code.
function get(port: number, ca: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: url, ca, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** POSTs `body` as JSON over HTTPS to a `serve` on 127.0.0.1 trusting only `ca`; resolves status and parsed body. */
export function postJson(
  port: number,
  ca: string,
  url: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: url,
        ca,
        agent: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text for the assertion message
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Starts bin/portcullis.js serve with TLS and `args`, and waits until /readyz answers 200. */
export async function startServe(
  tls: { certFile: string; keyFile: string; cert: string },
  args: readonly string[],
): Promise<RunningServe> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'bin', 'portcullis.js'),
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--tls-cert',
      tls.certFile,
      '--tls-key',
      tls.keyFile,
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    return exited;
  };
  const deadline = Date.now() + SERVE_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`portcullis serve exited with ${child.exitCode}:\n${stderr}`);
    if ((await get(port, tls.cert, '/readyz').catch(() => 0)) === 200) {
      return { port, url: `https://127.0.0.1:${port}`, logs: () => stderr, stop };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop('SIGKILL');
  throw new Error(`portcullis serve was not ready within ${SERVE_READY_TIMEOUT_MS} ms:\n${stderr}`);
}
