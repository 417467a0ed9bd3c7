// The chart against the real API server: for every ci/<scenario>-values.yaml, `helm lint --strict` passes and
// what `helm template` renders (CRDs included) is accepted by `kubectl apply --dry-run=server`. Objects of an
// API group this cluster does not serve (cert-manager, prometheus-operator: their CRDs are not vendored here)
// cannot be dry-run; they are left out by group, with the reason in the test title, and cert-manager mode
// shows instead the chart's own failure on such a cluster (its .Capabilities check, fed by the real API server).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CERT_MANAGER_API, CHART, runHelm, toObjects, type K8sObject } from '../unit/chart/helm';
import { loadE2E, skipUnless } from './harness/env';
import { kubectlFor } from './harness/kubectl';
import { tool } from '../harness/tools';

const e2e = loadE2E();
const { k, ok } = kubectlFor(e2e);
const helm = tool('helm');
const SUFFIX = Math.random().toString(36).slice(2, 8);
/** The release namespace of every render; created for this test, so namespaced objects can be dry-run. */
const NS = `chart-dry-run-${SUFFIX}`;
const CI_FILES = readdirSync(join(CHART, 'ci'))
  .filter((f) => f.endsWith('-values.yaml'))
  .sort();

/** API groups some scenarios render objects of, whose CRDs are not installed here: why each is left out. */
const OPTIONAL_GROUPS: Readonly<Record<string, string>> = {
  'cert-manager.io': 'cert-manager CRDs are not vendored into the test cluster',
  'monitoring.coreos.com': 'prometheus-operator CRDs are not vendored into the test cluster',
};

/** Said in the title of every dry-run test, so leaving objects out is never silent. */
const LEFT_OUT = `left out when not served: ${Object.entries(OPTIONAL_GROUPS)
  .map(([group, why]) => `${group}, as ${why}`)
  .join('; ')}`;
/** Our own control plane never serves cert-manager.io; an existing cluster may. */
const ownControlPlane = skipUnless(
  !e2e.mode.existingCluster,
  'skipped on an existing cluster: it may serve cert-manager.io/v1',
);

let served: Set<string>;
let kubeVersion: string;
/** Namespaces this file created (the release namespace, and e.g. the Grafana dashboard's), deleted afterwards. */
const created: string[] = [];

// groupOf reads the API group of an object ('' for the core group).
function groupOf(o: K8sObject): string {
  const apiVersion = String(o.apiVersion);
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

// ensureNamespace creates a namespace unless it exists, remembering it for cleanup.
async function ensureNamespace(name: string): Promise<void> {
  if ((await k(['get', 'namespace', name])).code === 0) return;
  await ok(['create', 'namespace', name]);
  created.push(name);
}

beforeAll(async () => {
  served = new Set((await ok(['api-versions'])).stdout.split('\n').filter((l) => l !== ''));
  const version = JSON.parse((await ok(['version', '-o', 'json'])).stdout) as {
    serverVersion: { gitVersion: string };
  };
  kubeVersion = version.serverVersion.gitVersion;
  await ensureNamespace(NS);
});

afterAll(async () => {
  for (const ns of created) await k(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
});

describe.each(CI_FILES)('ci/%s', (file) => {
  const values = join(CHART, 'ci', file);

  test('helm lint --strict passes', () => {
    const run = runHelm(helm, ['lint', '--strict', CHART, '--namespace', NS, '-f', values]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({
      status: 0,
      stdout: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed'),
    });
  });

  test(`kubectl apply --dry-run=server accepts every rendered object (${LEFT_OUT})`, async () => {
    // As `helm install` on this cluster would render it: its version, plus cert-manager's API, which the
    // chart's capability check needs when cert-manager mode is on (see the test below for the real check).
    const run = runHelm(helm, [
      'template',
      'portcullis',
      CHART,
      '--namespace',
      NS,
      '--include-crds',
      '--kube-version',
      kubeVersion,
      ...CERT_MANAGER_API,
      '-f',
      values,
    ]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    const objects = toObjects(run.stdout);
    const unserved = (o: K8sObject): boolean => ![...served].some((v) => v === o.apiVersion);
    const left = objects.filter(unserved);
    // Only objects of the known optional groups may be left out; anything else must reach the API server.
    expect(left.filter((o) => !(groupOf(o) in OPTIONAL_GROUPS))).toEqual([]);
    const kept = objects.filter((o) => !unserved(o));
    for (const ns of new Set(kept.map((o) => o.metadata.namespace).filter((n) => n !== undefined)))
      await ensureNamespace(ns);
    // JSON documents: re-serialised YAML would lose the quotes that keep e.g. "no" a string for kubectl.
    const input = kept.map((o) => JSON.stringify(o)).join('\n---\n');
    const applied = await k(['apply', '--dry-run=server', '-f', '-'], input);
    expect({ code: applied.code, stderr: applied.stderr.replace(/^Warning: .*\n/gm, '') }).toEqual({
      code: 0,
      stderr: '',
    });
    const lines = applied.stdout.trim().split('\n');
    expect(lines).toHaveLength(kept.length);
    for (const line of lines) expect(line).toMatch(/ \(server dry run\)$/);
  });
});

describe('cert-manager mode on a cluster without cert-manager', () => {
  const certManager = join(CHART, 'ci', 'cert-manager-values.yaml');

  ownControlPlane.it(
    'helm template --validate (capabilities read from the real API server) fails with the chart’s message',
    () => {
      expect(served.has('cert-manager.io/v1')).toBe(false);
      const args = ['template', 'portcullis', CHART, '--namespace', NS, '-f', certManager];
      const run = runHelm(helm, [...args, '--validate', '--kubeconfig', e2e.controlPlane.kubeconfig]);
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(
        'certManager.enabled needs cert-manager: this cluster does not serve cert-manager.io/v1',
      );
      // The same render succeeds once the API is declared: the failure is the capability check, nothing else.
      expect(runHelm(helm, [...args, ...CERT_MANAGER_API]).status).toBe(0);
    },
  );
});
