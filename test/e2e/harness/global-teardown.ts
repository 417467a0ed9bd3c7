import { readFile, rm } from 'node:fs/promises';
import { stopControlPlane, type ControlPlane } from '../../harness/control-plane';
import registriesTeardown from '../../harness/global-teardown';
import { E2E_FILE_ENV, type E2E } from './env';
import { CLUSTER_CA_SUFFIX, CONTROL_PLANE_KEY } from './global-setup';

// globalTeardown stops the control plane (its in-process handle, or else the folder named in the e2e file),
// then the registries through the integration harness's teardown. An existing cluster is left alone.
export default async function globalTeardown(): Promise<void> {
  const cp = (globalThis as Record<symbol, unknown>)[CONTROL_PLANE_KEY] as ControlPlane | undefined;
  const file = process.env[E2E_FILE_ENV];
  if (cp !== undefined) {
    await cp.stop().catch((e: unknown) => process.stderr.write(`[e2e] control plane stop: ${String(e)}\n`));
  } else if (file !== undefined) {
    try {
      const e2e = JSON.parse(await readFile(file, 'utf8')) as E2E;
      if (!e2e.mode.existingCluster && e2e.controlPlane.dir !== '') {
        await stopControlPlane(e2e.controlPlane.dir);
        await rm(e2e.controlPlane.dir, { recursive: true, force: true });
      }
    } catch {
      // no file: no control plane was started
    }
  }
  await registriesTeardown();
  if (file !== undefined) await rm(file, { force: true });
  if (file !== undefined) await rm(file + CLUSTER_CA_SUFFIX, { force: true });
}
