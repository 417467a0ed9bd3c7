// Renders charts/portcullis with the real helm binary (built by hack/tools.sh into $PORTCULLIS_TOOLS).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..', '..');
/** The chart under test. */
export const CHART = join(ROOT, 'charts', 'portcullis');
/** Release namespace used for every render. */
export const NAMESPACE = 'portcullis-system';
/** Upper bound for one helm invocation. */
export const HELM_TIMEOUT_MS = 60_000;

/** A rendered Kubernetes object. Tests assert on its fields one by one, so it stays untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered YAML of many kinds
export type K8sObject = any;

/** Where helm is expected, and whether it is there. */
export function findHelm(): { path: string | undefined; reason: string } {
  const tools = process.env.PORTCULLIS_TOOLS;
  if (tools === undefined || tools === '') return { path: undefined, reason: 'PORTCULLIS_TOOLS is not set' };
  const path = join(tools, 'helm');
  if (!existsSync(path))
    return { path: undefined, reason: `no helm binary at ${path} (hack/tools.sh builds it)` };
  return { path, reason: '' };
}

/** Result of one helm run: its exit status, output and the objects it rendered. */
export interface HelmRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// runHelm runs helm with a deadline, in the repository root.
export function runHelm(helm: string, args: readonly string[]): HelmRun {
  const run = spawnSync(helm, args, { cwd: ROOT, encoding: 'utf8', timeout: HELM_TIMEOUT_MS });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** helm template sees no cluster: declare cert-manager's API, which cert-manager mode requires. */
export const CERT_MANAGER_API = ['--api-versions', 'cert-manager.io/v1'] as const;

// template renders the chart with extra helm arguments (-f FILE, --set k=v).
export function template(helm: string, args: readonly string[] = []): HelmRun {
  return runHelm(helm, [
    'template',
    'portcullis',
    CHART,
    '--namespace',
    NAMESPACE,
    ...CERT_MANAGER_API,
    ...args,
  ]);
}

// toObjects parses helm's multi-document output, dropping empty documents.
export function toObjects(stdout: string): K8sObject[] {
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as K8sObject)
    .filter((o) => o !== null);
}

// render renders and parses, failing the test with helm's stderr when helm fails.
export function render(helm: string, args: readonly string[] = []): K8sObject[] {
  const run = template(helm, args);
  if (run.status !== 0) throw new Error(`helm template ${args.join(' ')} failed:\n${run.stderr}`);
  return toObjects(run.stdout);
}

// only returns the one object of a kind (and name), failing when there is not exactly one.
export function only(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
}
