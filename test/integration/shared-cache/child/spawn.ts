// Starts child/flight.ts with tsx's loader and follows its stdout line by line.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../../../harness/tools';

/** How long a child may take to start tsx, connect and print a line. */
const LINE_TIMEOUT_MS = 20_000;

export interface FlightChild {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line matching `re` (seen before or after the call). */
  line(re: RegExp): Promise<string>;
  go(): void;
  kill(): void;
}

/** Spawns one flight child with the given environment. */
export function spawnFlight(env: Record<string, string>): FlightChild {
  // One process (node with tsx's loader), not the tsx CLI: that CLI runs the script in a child of its own,
  // which a SIGKILL of the CLI leaves running, holding jest's pipes open after the suite.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'flight.ts')], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters: (() => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    partial += chunk.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return {
    child,
    line: (re) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`no line ${String(re)} in ${LINE_TIMEOUT_MS} ms: ${lines.join('|')} ${stderr}`)),
          LINE_TIMEOUT_MS,
        );
        // check resolves once a matching line has arrived, else waits for the next chunk.
        const check = (): void => {
          const found = lines.find((l) => re.test(l));
          if (found !== undefined) {
            clearTimeout(timer);
            resolve(found);
          } else waiters.push(check);
        };
        check();
      }),
    go: () => child.stdin?.end('go\n'),
    kill: () => child.kill('SIGKILL'),
  };
}
