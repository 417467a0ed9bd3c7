// Smoke test of the e2e harness: the real kube-apiserver answers kubectl, serves our CRDs with their printer
// columns and schema validation, stores pods (no webhook registered here), and writes its audit log.
import * as path from 'node:path';
import { stringify } from 'yaml';
import { kubectl, type ControlPlaneInfo } from '../harness/control-plane';
import { REPO_ROOT } from '../harness/tools';
import { isCreateOf, waitForAuditEvent } from './harness/audit';
import { loadE2E, skipUnless } from './harness/env';

const CRD_DIR = path.join(REPO_ROOT, 'manifests', 'crds');
const SUFFIX = Math.random().toString(36).slice(2, 8);
const NAMESPACE = `smoke-${SUFFIX}`;
const POLICY = `smoke-${SUFFIX}`;

let cp: ControlPlaneInfo;
const e2e = loadE2E();
/** hack/tools.sh pins kubectl and kube-apiserver to one version; another cluster has its own. */
const ownControlPlane = skipUnless(
  !e2e.mode.existingCluster,
  'skipped on an existing cluster: its version is not the one hack/tools.sh pins',
);
/** The chart's webhook refuses the smoke pod (its policy's key is not a key). */
const noWebhook = skipUnless(
  e2e.mode.webhook === 'local',
  'skipped with the in-cluster webhook: it refuses the smoke pod',
);
const withAuditLog = skipUnless(
  e2e.controlPlane.auditLog !== '',
  'skipped on an existing cluster: no API server audit log',
);

// policy builds a ClusterImagePolicy for an image glob that no other test uses, with `spec` merged in.
function policy(name: string, spec: Record<string, unknown> = {}): string {
  return stringify({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'ClusterImagePolicy',
    metadata: { name },
    spec: {
      mode: 'enforce',
      images: [{ glob: `smoke.invalid/${SUFFIX}/**` }],
      authorities: [
        {
          name: 'smoke',
          cosign: {
            key: {
              data: '-----BEGIN PUBLIC KEY-----\nnot-checked-by-the-schema\n-----END PUBLIC KEY-----\n',
            },
          },
        },
      ],
      ...spec,
    },
  });
}

beforeAll(async () => {
  cp = e2e.controlPlane;
  await kubectl(cp, ['apply', '--server-side', '-f', CRD_DIR]);
  await kubectl(cp, ['wait', '--for=condition=Established', '--timeout=60s', '-f', CRD_DIR]);
  await kubectl(cp, ['create', 'namespace', NAMESPACE]);
});

afterAll(async () => {
  if (cp === undefined) return;
  await kubectl(cp, ['delete', 'clusterimagepolicy', POLICY, '--ignore-not-found', '--wait=false']);
  await kubectl(cp, ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']);
});

describe('the e2e control plane', () => {
  ownControlPlane.it('reports the pinned Kubernetes version on client and server', async () => {
    const { stdout } = await kubectl(cp, ['version', '-o', 'json']);
    const v = JSON.parse(stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(v.clientVersion.gitVersion).toBe(v.serverVersion.gitVersion);
  });

  it('lists the built-in namespaces', async () => {
    const { stdout } = await kubectl(cp, ['get', 'namespaces', '-o', 'name']);
    expect(stdout.split('\n')).toEqual(
      expect.arrayContaining(['namespace/default', 'namespace/kube-system']),
    );
  });

  it('serves ClusterImagePolicies with the Mode, Images, Ready and Reason printer columns', async () => {
    await kubectl(cp, ['apply', '-f', '-'], { input: policy(POLICY) });
    const { stdout } = await kubectl(cp, ['get', 'clusterimagepolicies', POLICY]);
    const [header, row] = stdout.trim().split('\n');
    expect(header?.split(/\s+/)).toEqual(['NAME', 'MODE', 'IMAGES', 'READY', 'REASON', 'AGE']);
    expect(row).toContain(POLICY);
    expect(row).toContain('enforce');
    // IMAGES shows status.summary, which Portcullis writes (nobody does here): kubectl-explain.test.ts checks it.
    const short = await kubectl(cp, ['get', 'cip', POLICY, '-o', 'name']);
    expect(short.stdout.trim()).toBe(`clusterimagepolicy.portcullis.dev/${POLICY}`);
  });

  it.each([
    ['a mode outside the enum', { mode: 'enfroce' }, /spec\.mode: Unsupported value: "enfroce"/],
    ['no images', { images: [] }, /spec\.images.*should have at least 1 items/],
    ['a threshold above the authority count (CEL rule)', { threshold: 2 }, /threshold must not exceed/],
  ])('rejects a policy with %s at `kubectl apply`', async (_what, spec, message) => {
    const name = `${POLICY}-bad`;
    const result = await kubectl(cp, ['apply', '-f', '-'], { input: policy(name, spec), allowFailure: true });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    const get = await kubectl(cp, ['get', 'clusterimagepolicy', name], { allowFailure: true });
    expect(get.stderr).toMatch(/NotFound/);
  });

  noWebhook.it('stores a Pod (no kubelet, or an image that cannot be pulled: it stays Pending)', async () => {
    const pod = stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'smoke', namespace: NAMESPACE },
      spec: { containers: [{ name: 'app', image: `smoke.invalid/${SUFFIX}/app:1` }] },
    });
    const created = await kubectl(cp, ['apply', '-f', '-'], { input: pod });
    expect(created.stdout).toContain('pod/smoke created');
    const phase = await kubectl(cp, [
      'get',
      'pod',
      'smoke',
      '-n',
      NAMESPACE,
      '-o',
      'jsonpath={.status.phase}',
    ]);
    expect(phase.stdout).toBe('Pending');
  });

  withAuditLog.it('records the create of that Pod in the audit log', async () => {
    const event = await waitForAuditEvent(cp.auditLog, isCreateOf('pods', NAMESPACE, 'smoke'));
    expect(event.level).toBe('Metadata');
    expect(event.user?.username).toBe('portcullis-admin');
  });
});
