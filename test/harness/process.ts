import { spawn, type ChildProcess } from 'node:child_process';

/** How long a registry may take to print its port and answer /v2/. */
export const START_TIMEOUT_MS = 30_000;

/** A child process in its own process group, so that stop() kills it and anything it spawned. */
export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The regex match on the line that said the process is listening. */
  readonly match: RegExpMatchArray;
  /** Everything the process printed so far (for failure messages). */
  output(): string;
}

/**
 * Spawns `cmd args` detached (own process group) and resolves once a line of stdout/stderr matches `ready`.
 * Rejects with the captured output if the process exits first or START_TIMEOUT_MS passes.
 */
export function startProcess(
  cmd: string,
  args: string[],
  ready: RegExp,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let done = false;
    const timer = setTimeout(
      () => finish(new Error(`${cmd} did not become ready in ${START_TIMEOUT_MS} ms:\n${out}`)),
      START_TIMEOUT_MS,
    );
    // finish settles once; on failure it also kills the half-started process.
    const finish = (err?: Error, match?: RegExpMatchArray): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err !== undefined || match === undefined || child.pid === undefined) {
        if (child.pid !== undefined) killGroup(child.pid);
        reject(err ?? new Error(`${cmd} failed to start`));
        return;
      }
      child.unref();
      (child.stdout as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
      (child.stderr as NodeJS.ReadableStream & { unref?: () => void }).unref?.();
      resolve({ child, pid: child.pid, match, output: () => out });
    };
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      if (out.length > 1_000_000) out = out.slice(-500_000);
      const m = out.match(ready);
      if (m !== null) finish(undefined, m);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('error', (e) => finish(e));
    child.on('exit', (code, signal) =>
      finish(new Error(`${cmd} exited (${code ?? signal}) before ready:\n${out}`)),
    );
  });
}

/** Kills a whole process group: SIGTERM now, SIGKILL if it is still there after `graceMs`. */
export async function stopProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  killGroup(pid, 'SIGTERM');
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!isAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  killGroup(pid, 'SIGKILL');
}

// killGroup signals the negative pid (the group); errors mean it is already gone.
function killGroup(pid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// isAlive asks the kernel with signal 0, which checks existence without signalling.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
