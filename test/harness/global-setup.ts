import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_HARNESS_FILE, HARNESS_FILE_ENV, type Harness } from './env';
import {
  startAuthDistribution,
  startDistribution,
  startReferrersRegistry,
  startTokenAuthDistribution,
  type RunningRegistry,
} from './registries';
import { toolsBin } from './tools';

/** Where global-teardown finds what to stop (jest runs setup and teardown in the same process). */
export const RUNNING_KEY = Symbol.for('portcullis.harness.running');

// globalSetup starts the real registries once per jest run and writes their endpoints for the test workers.
export default async function globalSetup(): Promise<void> {
  const tools = toolsBin();
  const started: RunningRegistry[] = [];
  (globalThis as Record<symbol, unknown>)[RUNNING_KEY] = started;
  const track = <T extends RunningRegistry>(p: Promise<T>): Promise<T> =>
    p.then((r) => {
      started.push(r);
      return r;
    });
  const [referrers, distribution, basicAuth, tokenAuth] = await Promise.all([
    track(startReferrersRegistry()),
    track(startDistribution()),
    track(startAuthDistribution()),
    track(startTokenAuthDistribution()).catch((e: unknown) => {
      process.stderr.write(`[harness] token-auth registry not started: ${String(e)}\n`);
      return undefined;
    }),
  ]).catch(async (e: unknown) => {
    await Promise.all(started.map((r) => r.stop()));
    throw e;
  });
  const harness: Harness = {
    referrers: { host: referrers.host },
    distribution: { host: distribution.host },
    basicAuth: { host: basicAuth.host, username: basicAuth.username, password: basicAuth.password },
    ...(tokenAuth && {
      tokenAuth: {
        host: tokenAuth.host,
        username: tokenAuth.username,
        password: tokenAuth.password,
        realm: tokenAuth.realm,
        service: tokenAuth.service,
        refreshToken: tokenAuth.refreshToken,
      },
    }),
    tools,
    pids: started.map((r) => r.pid),
  };
  // One file per jest run, so parallel runs in the same checkout do not overwrite each other's endpoints.
  const file = path.join(path.dirname(DEFAULT_HARNESS_FILE), `harness-${process.pid}.json`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(harness, null, 2));
  process.env[HARNESS_FILE_ENV] = file;
}
