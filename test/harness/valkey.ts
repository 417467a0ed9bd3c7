// A real valkey-server for the shared-cache tests: loopback only, a free port, no persistence, optionally a
// password. The config goes in a file (mode 0600), so the password is not on the command line.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './serve';
import { startProcess, stopProcessGroup } from './process';
import { tool } from './tools';

/** How many times a start is retried when the free port was taken in between. */
const PORT_RETRIES = 3;

export interface RunningValkey {
  readonly port: number;
  readonly pid: number;
  /** `redis://127.0.0.1:PORT` (`rediss://` with TLS). */
  readonly url: string;
  readonly password?: string;
  /** SIGSTOP: the server keeps its sockets but answers nothing (a slow or hung Valkey). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /** SIGKILL now (a crash mid-request); stop() afterwards is harmless. */
  kill(): void;
  /** Stops it (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts valkey-server on 127.0.0.1 and a free port; `requirepass` sets a password; `tls` serves TLS only
 * (with that certificate and key, no client certificates), and the URL is then `rediss://`.
 */
export async function startValkey(
  options: { requirepass?: string; tls?: { certFile: string; keyFile: string } } = {},
): Promise<RunningValkey> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-valkey-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < PORT_RETRIES; attempt += 1) {
    const port = await freePort();
    const config = path.join(dir, 'valkey.conf');
    const lines = [
      ...(options.tls === undefined
        ? [`port ${port}`]
        : [
            'port 0',
            `tls-port ${port}`,
            `tls-cert-file ${options.tls.certFile}`,
            `tls-key-file ${options.tls.keyFile}`,
            'tls-auth-clients no',
          ]),
      'bind 127.0.0.1',
      'protected-mode yes',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'daemonize no',
      'loglevel notice',
      ...(options.requirepass === undefined ? [] : [`requirepass ${options.requirepass}`]),
    ];
    await writeFile(config, `${lines.join('\n')}\n`);
    await chmod(config, 0o600);
    try {
      const p = await startProcess(tool('valkey-server'), [config], /Ready to accept connections/, {
        cwd: dir,
      });
      return running(p.pid, port, dir, options.requirepass, options.tls !== undefined);
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(String(error))) break;
    }
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

// running wraps a started server's pid into the handle the tests use.
function running(
  pid: number,
  port: number,
  dir: string,
  password: string | undefined,
  tls: boolean,
): RunningValkey {
  // signal sends to the process group; errors mean the process is already gone.
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-pid, name);
    } catch {
      // already gone
    }
  };
  return {
    port,
    pid,
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    ...(password === undefined ? {} : { password }),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
    kill: () => signal('SIGKILL'),
    stop: async () => {
      signal('SIGCONT');
      await stopProcessGroup(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
