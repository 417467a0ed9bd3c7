import { readFile, rm } from 'node:fs/promises';
import { HARNESS_FILE_ENV, type Harness } from './env';
import { RUNNING_KEY } from './global-setup';
import { stopProcessGroup } from './process';
import type { RunningRegistry } from './registries';

// globalTeardown stops what global-setup started: its in-process handles, or else the pids in the file.
export default async function globalTeardown(): Promise<void> {
  const running = (globalThis as Record<symbol, unknown>)[RUNNING_KEY] as RunningRegistry[] | undefined;
  await Promise.all((running ?? []).map((r) => r.stop().catch(() => undefined)));
  const file = process.env[HARNESS_FILE_ENV];
  if (file === undefined) return;
  try {
    // Only when the in-process handles are gone: a pid we already stopped could have been reused.
    if (running === undefined) {
      const harness = JSON.parse(await readFile(file, 'utf8')) as Harness;
      await Promise.all(harness.pids.map((pid) => stopProcessGroup(pid, 1000)));
    }
  } catch {
    // no file: nothing was started
  }
  await rm(file, { force: true });
}
