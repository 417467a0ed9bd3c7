import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ControlPlaneInfo } from '../../harness/control-plane';
import type { Harness } from '../../harness/env';
import { REPO_ROOT } from '../../harness/tools';

/** What the e2e global-setup started: the integration harness's registries plus a real control plane. */
export interface E2E extends Harness {
  /** etcd + kube-apiserver on loopback (hack/control-plane.sh). Use `kubectl(e2e.controlPlane, [...])`. */
  readonly controlPlane: ControlPlaneInfo;
}

/** The env var through which the e2e global-setup tells test workers where this run's e2e file is. */
export const E2E_FILE_ENV = 'PORTCULLIS_E2E_FILE';

/** Folder of the per-run e2e files (`e2e-<pid>.json`). */
export const E2E_FILE_DIR = path.join(REPO_ROOT, 'test', '.tmp');

/** Reads the e2e file that global-setup wrote for this jest run. */
export function loadE2E(): E2E {
  const file = process.env[E2E_FILE_ENV];
  if (file === undefined) {
    throw new Error(
      `${E2E_FILE_ENV} is not set: run e2e tests through npm run e2e (jest --selectProjects e2e)`,
    );
  }
  return JSON.parse(readFileSync(file, 'utf8')) as E2E;
}
