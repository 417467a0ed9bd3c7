import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './tools';

/** What global-setup started, as tests see it. Every host is `127.0.0.1:PORT`, plain HTTP. */
export interface Harness {
  /** crane's registry: has the OCI referrers API. */
  readonly referrers: { readonly host: string };
  /** distribution 2.8: no referrers API (tag fallback only). */
  readonly distribution: { readonly host: string };
  /** distribution 2.8 with htpasswd Basic auth. */
  readonly basicAuth: { readonly host: string; readonly username: string; readonly password: string };
  /** distribution 2.8 with `auth: token` and a token server (Bearer flow); absent if it failed to start. */
  readonly tokenAuth?: {
    readonly host: string;
    readonly username: string;
    readonly password: string;
    readonly realm: string;
    readonly service: string;
    readonly refreshToken: string;
  };
  /** The bin folder with crane, cosign, cosign2, docker-registry, htpasswd, skopeo, umoci. */
  readonly tools: string;
  /** Process-group ids that global-teardown kills. */
  readonly pids: readonly number[];
}

/** The env var through which global-setup tells test workers where this run's harness file is. */
export const HARNESS_FILE_ENV = 'PORTCULLIS_HARNESS_FILE';

/** Default harness file (used when the env var is not set, e.g. a test run by hand after a setup). */
export const DEFAULT_HARNESS_FILE = path.join(REPO_ROOT, 'test', '.tmp', 'harness.json');

/** Reads the harness file that global-setup wrote for this jest run. */
export function loadHarness(): Harness {
  const file = process.env[HARNESS_FILE_ENV] ?? DEFAULT_HARNESS_FILE;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Harness;
  } catch (e) {
    throw new Error(
      `no test harness at ${file}: run integration tests through jest --selectProjects integration (${String(e)})`,
    );
  }
}
