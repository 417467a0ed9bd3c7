// The two servers of the load bench, each a separate process pinned to one core with taskset (when it
// exists): `portcullis serve --plain-http` and the raw Fastify baseline (raw-server.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import * as path from 'node:path';
import { freePort } from '../../test/harness/serve';
import { REPO_ROOT } from '../../test/harness/tools';

/** How long a server may take to listen (tsx compiles the sources on the first start). */
export const SERVER_START_TIMEOUT_MS = 60_000;
/** The core the servers run on; the load generator and everything else run on LOAD_CORE. */
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

/** A server process listening on 127.0.0.1 over plain HTTP. */
export interface PinnedServer {
  readonly pid: number;
  readonly url: string;
  /** Resident set size of the process now, from /proc (bytes). */
  rssBytes(): number;
  /** CPU time (user + system) the process has used so far, from /proc (ms, at the kernel's tick). */
  cpuMs(): number;
  /** SIGTERM, then waits for the exit (a --cpu-prof profile is written on the way out). */
  stop(): Promise<void>;
}

let tasksetPresent: boolean | undefined;

/** Whether taskset(1) is installed; without it nothing is pinned and the bench says so. */
export function hasTaskset(): boolean {
  if (tasksetPresent === undefined) {
    try {
      execFileSync('taskset', ['-V'], { stdio: 'ignore' });
      tasksetPresent = true;
    } catch {
      tasksetPresent = false;
    }
  }
  return tasksetPresent;
}

/** Pins this process (every thread) to `core`, so that its children inherit it unless pinned elsewhere. */
export function pinSelf(core: number): void {
  if (hasTaskset())
    execFileSync('taskset', ['-a', '-cp', String(core), String(process.pid)], { stdio: 'ignore' });
}

/** `cmd args` prefixed with `taskset -c core` when taskset exists. */
export function pinned(core: number, cmd: string, args: readonly string[]): [string, string[]] {
  return hasTaskset() ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, [...args]];
}

// rssOf reads VmRSS of a pid from /proc (Linux only; 0 elsewhere).
function rssOf(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

let tickMs: number | undefined;

// cpuOf reads utime + stime of a pid from /proc/PID/stat (fields 14 and 15, in clock ticks).
function cpuOf(pid: number): number {
  try {
    tickMs ??= 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * tickMs;
  } catch {
    return NaN;
  }
}

// getStatus answers the HTTP status of GET url, or 0 when nothing listens yet.
function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

// track wraps a spawned child once it answers `readyPath` with 200.
async function track(
  child: ChildProcess,
  url: string,
  readyPath: string,
  what: string,
): Promise<PinnedServer> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (): void => void child.kill('SIGKILL');
  process.once('exit', kill);
  const server: PinnedServer = {
    pid: child.pid ?? 0,
    url,
    rssBytes: () => rssOf(child.pid ?? 0),
    cpuMs: () => cpuOf(child.pid ?? 0),
    stop: async () => {
      process.removeListener('exit', kill);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if ((await getStatus(url + readyPath)) === 200) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.stop();
  throw new Error(`${what} did not answer ${readyPath} within ${SERVER_START_TIMEOUT_MS} ms`);
}

/** Runs the compiled CLI the way the image's bin/portcullis.js does when there is no src/ (no tsx). */
const DIST_ENTRY =
  'require(process.env.PORTCULLIS_DIST_MAIN).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })';

/** Compiles src/ to dist/ (npm run build), so that serve runs as in the image, not through tsx. */
export async function buildDist(): Promise<string> {
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
  });
  return path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
}

/**
 * Starts the compiled `portcullis serve --plain-http --policy-dir` (`distMain`: buildDist's answer) on
 * SERVER_CORE. Its log lines (one per decision) go to `logFile`, as a container runtime would take them, not
 * through a pipe into the load generator's core.
 */
export async function startPortcullis(options: {
  distMain: string;
  policyDir: string;
  insecureRegistry: string;
  logFile: string;
  nodeArgs?: readonly string[];
  logLevel?: string;
}): Promise<PinnedServer> {
  const port = await freePort();
  const [cmd, args] = pinned(SERVER_CORE, process.execPath, [
    ...(options.nodeArgs ?? []),
    '-e',
    DIST_ENTRY,
    '--',
    'serve',
    '--plain-http',
    '--listen',
    `127.0.0.1:${port}`,
    '--policy-dir',
    options.policyDir,
    '--insecure-registry',
    options.insecureRegistry,
    '--drain-delay',
    '0s',
    ...(options.logLevel === undefined ? [] : ['--log-level', options.logLevel]),
  ]);
  const log = openSync(options.logFile, 'a');
  const env: NodeJS.ProcessEnv = { ...process.env, PORTCULLIS_DIST_MAIN: options.distMain };
  delete env.NODE_OPTIONS;
  const child = spawn(cmd, args, { stdio: ['ignore', log, log], env });
  closeSync(log);
  return track(child, `http://127.0.0.1:${port}`, '/readyz', 'portcullis serve');
}

/** Starts raw-server.ts on SERVER_CORE; it prints its port, then answers /readyz like serve. */
export async function startRawServer(): Promise<PinnedServer> {
  const [cmd, args] = pinned(SERVER_CORE, process.execPath, [
    '--import',
    'tsx',
    path.join(__dirname, 'raw-server.ts'),
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('raw server did not start')), SERVER_START_TIMEOUT_MS);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`raw server exited with ${code}`)));
  });
  child.stdout?.resume();
  return track(child, `http://127.0.0.1:${port}`, '/readyz', 'raw server');
}
