// Runs autocannon's CLI as the load generator, pinned to LOAD_CORE, and reads its JSON summary.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as path from 'node:path';
import { REPO_ROOT } from '../../test/harness/tools';
import { LOAD_CORE, pinned } from './processes';

const run = promisify(execFile);

/** autocannon's own entry point (its `bin`), run with this Node. */
const AUTOCANNON = path.join(REPO_ROOT, 'node_modules', 'autocannon', 'autocannon.js');

/** One autocannon run: mean req/s over the run, latency percentiles in ms, and anything not a 2xx. */
export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly failures: number;
  /** CPU the server used per answered request (µs), from /proc before and after the run. */
  readonly cpuPerRequestUs: number;
}

interface AutocannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

/**
 * POSTs the file `bodyFile` (JSON) to `url` over `connections` keep-alive connections for `seconds`;
 * `serverCpuMs` reads the server's CPU time, for the CPU per request.
 */
export async function runLoad(
  url: string,
  serverCpuMs: () => number,
  bodyFile: string,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const [cmd, args] = pinned(LOAD_CORE, process.execPath, [
    AUTOCANNON,
    '--json',
    '--connections',
    String(connections),
    '--duration',
    String(seconds),
    '--method',
    'POST',
    '--headers',
    'content-type=application/json',
    '--input',
    bodyFile,
    url,
  ]);
  const cpuBefore = serverCpuMs();
  const { stdout } = await run(cmd, args, { maxBuffer: 16 * 1024 * 1024, timeout: (seconds + 60) * 1000 });
  const cpu = serverCpuMs() - cpuBefore;
  const r = JSON.parse(stdout) as AutocannonJson;
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    failures: r.non2xx + r.errors + r.timeouts,
    cpuPerRequestUs: (cpu * 1000) / r.requests.total,
  };
}
