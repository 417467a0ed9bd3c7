// Runs the real CLI (bin/portcullis.js) with the Node that runs the tests, and collects its exit code and output.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './tools';

/** Time allowed for one CLI run. */
export const CLI_TIMEOUT_MS = 60_000;

/** What one CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `portcullis ARGS…` and resolves with its exit code and output; never rejects. */
export function runPortcullis(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(REPO_ROOT, 'bin', 'portcullis.js'), ...args],
      // `env` is explicit: jest gives each test file its own copy of process.env, which children do not inherit.
      { timeout: CLI_TIMEOUT_MS, ...(env === undefined ? {} : { env }) },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
