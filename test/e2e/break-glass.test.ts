// Break-glass through a real kube-apiserver and a real kube-controller-manager (deployment and replicaset
// controllers, acting as their service accounts): allowedGroups is judged on the Deployment a person submits,
// and the ReplicaSet and Pods the controllers create from it inherit that decision (docs/policy.md,
// "Break-glass"). No kubelet runs: "runs its Pods" means the Pods are admitted and stored.
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cosignSign, generateCosignKey, type CosignKey } from '../harness/cosign';
import { pushRandomImage } from '../harness/images';
import { selfSignedCert } from '../harness/tls';
import { cosignPolicy } from '../harness/webhook';
import { deploymentYaml } from './harness/manifests';
import { waitForAuditEvent } from './harness/audit';
import { loadE2E, skipUnless, type E2E } from './harness/env';
import { kubectlFor, waitFor } from './harness/kubectl';
import { installLocalWebhook, type LocalWebhook } from './harness/local-webhook';

const e2e: E2E = loadE2E();
const IN_CLUSTER = e2e.mode.webhook === 'in-cluster';
const SUFFIX = Math.random().toString(36).slice(2, 7);
/** A namespace and a policy of this file's own, removed afterwards. */
const TEAM = `glass-${SUFFIX}`;
const POLICY = `e2e-glass-${SUFFIX}`;
/** The group the policy lets break glass, and the people of this test. */
const SRE = 'sre';
const ALICE = ['--as=alice', `--as-group=${SRE}`];
const BOB = ['--as=bob', '--as-group=dev'];
/** kube-controller-manager's replicaset controller, as it runs with --use-service-account-credentials. */
const REPLICASET_CONTROLLER = 'system:serviceaccount:kube-system:replicaset-controller';
/** How long the controllers may take to turn a Deployment into a Pod through both webhooks. */
const POD_TIMEOUT_MS = 90_000;
const withAuditLog = skipUnless(
  e2e.controlPlane.auditLog !== '',
  'skipped on an existing cluster: no API server audit log',
);

const { k, ok } = kubectlFor(e2e);

let key: CosignKey;
let webhook: LocalWebhook | undefined;
let unsignedRef: string;
let signedRef: string;

// policyYaml: the team's images must be signed with `key`; only group sre may break glass.
function policyYaml(pullHost: string): string {
  return cosignPolicy(POLICY, [`${pullHost}/glass-${SUFFIX}/**`], key.publicKeyPem, {
    spec: [`breakGlass: {allowed: true, requireReason: true, allowedGroups: [${SRE}]}`],
  });
}

// deployment renders a one-replica Deployment whose pod template asks for break-glass with `value`.
function deployment(name: string, image: string, value = 'true'): string {
  const annotations = {
    'portcullis.dev/break-glass': value,
    'portcullis.dev/break-glass-reason': 'INC-7: hotfix',
  };
  return deploymentYaml(TEAM, name, image, { annotations });
}

// podNames lists the Pods of one Deployment (by its app label).
async function podNames(app: string): Promise<string[]> {
  const out = await k([
    'get',
    'pods',
    '-n',
    TEAM,
    '-l',
    `app=${app}`,
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return out.stdout.split(' ').filter((n) => n !== '');
}

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-e2e-glass-'));
  key = await generateCosignKey();
  const pushHost = e2e.mode.registry?.push ?? e2e.referrers.host;
  const pullHost = e2e.mode.registry?.pull ?? e2e.referrers.host;
  const signed = await pushRandomImage(pushHost, `glass-${SUFFIX}/app`, 'signed');
  await pushRandomImage(pushHost, `glass-${SUFFIX}/app`, 'unsigned');
  await cosignSign(key, signed.ref, 'v3');
  signedRef = `${pullHost}/glass-${SUFFIX}/app:signed`;
  unsignedRef = `${pullHost}/glass-${SUFFIX}/app:unsigned`;
  if (!IN_CLUSTER) webhook = await installLocalWebhook(e2e, dir, selfSignedCert(dir, 'webhook'));
  await ok(['create', 'namespace', TEAM]);
  await ok(['apply', '-f', '-'], policyYaml(pullHost));
  // alice and bob may manage Deployments in the team's namespace; neither may break glass by RBAC alone.
  await ok([
    'create',
    'role',
    'deployer',
    '-n',
    TEAM,
    '--verb=get,list,watch,create,update,patch,delete',
    '--resource=deployments.apps',
  ]);
  await ok([
    'create',
    'rolebinding',
    'deployer',
    '-n',
    TEAM,
    '--role=deployer',
    '--user=alice',
    '--user=bob',
  ]);
  // The webhook is in the path with this policy once it refuses the unsigned image.
  const probe = `apiVersion: v1\nkind: Pod\nmetadata: {name: probe, namespace: ${TEAM}}\nspec: {containers: [{name: app, image: "${unsignedRef}"}]}\n`;
  const inPath = await waitFor(async () => {
    const r = await k(['apply', '--dry-run=server', '-f', '-'], probe);
    return r.code !== 0 && r.stderr.includes(POLICY);
  }, 60_000);
  if (!inPath)
    throw new Error(`the webhook never refused ${unsignedRef} by ${POLICY}:\n${webhook?.serve.logs() ?? ''}`);
}, 300_000);

afterAll(async () => {
  await k(['delete', 'namespace', TEAM, '--ignore-not-found', '--wait=false']);
  await k(['delete', 'clusterimagepolicy', POLICY, '--ignore-not-found']);
  await webhook?.stop();
});

describe('break-glass through kube-controller-manager', () => {
  it(
    'a Deployment with break-glass created by an allowed user runs its Pods (the controllers inherit the decision)',
    async () => {
      const r = await ok([...ALICE, 'apply', '-f', '-'], deployment('by-alice', unsignedRef));
      expect(r.stderr).toMatch(/Warning: break-glass used by "alice" \(reason: INC-7: hotfix\)/);
      const pods = await waitFor(async () => (await podNames('by-alice')).length > 0, POD_TIMEOUT_MS);
      if (!pods) throw new Error(`no Pod of by-alice was admitted:\n${webhook?.serve.logs() ?? ''}`);
      const [name] = await podNames('by-alice');
      const annotation = await ok([
        'get',
        'pod',
        name ?? '',
        '-n',
        TEAM,
        '-o',
        'jsonpath={.metadata.annotations.portcullis\\.dev/break-glass}',
      ]);
      expect(annotation.stdout).toBe('true');
    },
    POD_TIMEOUT_MS + 30_000,
  );

  withAuditLog.it(
    'the Pod was created by the replicaset controller, and admitted by break-glass',
    async () => {
      const event = await waitForAuditEvent(
        e2e.controlPlane.auditLog,
        (e) =>
          e.verb === 'create' &&
          e.stage === 'ResponseComplete' &&
          e.objectRef?.resource === 'pods' &&
          e.objectRef.namespace === TEAM &&
          e.responseStatus?.code === 201 &&
          e.user?.username === REPLICASET_CONTROLLER,
      );
      expect(JSON.stringify(event.annotations)).toMatch(/\/break-glass":"true"/);
    },
  );

  it('a Deployment with break-glass created by another user is refused at creation, saying why', async () => {
    const r = await k([...BOB, 'apply', '-f', '-'], deployment('by-bob', unsignedRef));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('denied the request');
    expect(r.stderr).toContain('[POLICY_BREAK_GLASS_REFUSED]');
    expect(r.stderr).toContain(
      `user "bob" (groups: "dev", "system:authenticated") is in none of the groups policy ClusterImagePolicy/${POLICY} allows to break glass (${SRE})`,
    );
    expect(r.stderr).toContain(
      `ask a member of ${SRE} to apply it, or remove annotation portcullis.dev/break-glass`,
    );
    expect((await k(['get', 'deployment', 'by-bob', '-n', TEAM])).code).not.toBe(0);
  });

  it('another user cannot plant the annotation on a Deployment whose image passes', async () => {
    const r = await k([...BOB, 'apply', '-f', '-'], deployment('planted-by-bob', signedRef));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      'every image passes its policies, but the object requests break-glass, which is refused',
    );
    await ok([...BOB, 'apply', '-f', '-'], deployment('signed-by-bob', signedRef, 'false'));
  });

  it('"True" is not a request: the Deployment is refused and kubectl prints why', async () => {
    const r = await k(
      [...ALICE, 'apply', '--dry-run=server', '-f', '-'],
      deployment('near-miss', unsignedRef, 'True'),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('so break-glass was NOT requested: its value must be exactly "true"');
    expect(r.stderr).not.toContain('POLICY_BREAK_GLASS_REFUSED');
  });
});
