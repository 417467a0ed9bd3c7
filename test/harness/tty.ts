// Runs the real CLI with stderr on a real pseudo-terminal (Python's pty module) and stdout on a pipe, so that
// what the CLI prints only for terminals can be tested.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { CLI_TIMEOUT_MS, type CliRun } from './cli';
import { REPO_ROOT } from './tools';

/** Opens a pty, runs argv with stderr on it, and relays the child's stdout, the pty's output and exit code. */
const PTY_RUNNER = `
import os, pty, subprocess, sys, threading
master, slave = pty.openpty()
child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
chunks = []
def drain():
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            return
        if not data:
            return
        chunks.append(data)
reader = threading.Thread(target=drain)
reader.start()
out = child.stdout.read()
code = child.wait()
reader.join()
sys.stdout.buffer.write(out)
sys.stderr.buffer.write(b"".join(chunks))
sys.exit(code)
`;

/** Runs `portcullis ARGS…` with stderr on a pseudo-terminal; `stderr` is what the terminal received. */
export function runPortcullisOnTty(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'python3',
      ['-c', PTY_RUNNER, process.execPath, path.join(REPO_ROOT, 'bin', 'portcullis.js'), ...args],
      { timeout: CLI_TIMEOUT_MS },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
