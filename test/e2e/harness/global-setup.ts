import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { startControlPlane, type ControlPlane } from '../../harness/control-plane';
import { loadHarness } from '../../harness/env';
import registriesSetup from '../../harness/global-setup';
import registriesTeardown from '../../harness/global-teardown';
import { toolsBin } from '../../harness/tools';
import { E2E_FILE_DIR, E2E_FILE_ENV, type E2E } from './env';

/** Where global-teardown finds the control plane to stop (jest runs setup and teardown in one process). */
export const CONTROL_PLANE_KEY = Symbol.for('portcullis.e2e.control-plane');

// globalSetup starts the registries (as the integration project does) and a control plane, side by side.
export default async function globalSetup(): Promise<void> {
  toolsBin(); // build or find every tool once, before two starters race to run hack/tools.sh
  const [registries, controlPlane] = await Promise.allSettled([registriesSetup(), startControlPlane()]);
  if (registries.status === 'rejected' || controlPlane.status === 'rejected') {
    if (controlPlane.status === 'fulfilled') await controlPlane.value.stop().catch(() => undefined);
    if (registries.status === 'fulfilled') await registriesTeardown().catch(() => undefined);
    throw registries.status === 'rejected'
      ? registries.reason
      : (controlPlane as PromiseRejectedResult).reason;
  }
  const cp: ControlPlane = controlPlane.value;
  (globalThis as Record<symbol, unknown>)[CONTROL_PLANE_KEY] = cp;
  const e2e: E2E = {
    ...loadHarness(),
    controlPlane: {
      dir: cp.dir,
      kubeconfig: cp.kubeconfig,
      server: cp.server,
      token: cp.token,
      caFile: cp.caFile,
      auditLog: cp.auditLog,
      pids: cp.pids,
    },
  };
  // One file per jest run, like the integration harness file, so parallel runs do not collide.
  const file = path.join(E2E_FILE_DIR, `e2e-${process.pid}.json`);
  await mkdir(E2E_FILE_DIR, { recursive: true });
  await writeFile(file, JSON.stringify(e2e, null, 2), { mode: 0o600 });
  process.env[E2E_FILE_ENV] = file;
}
