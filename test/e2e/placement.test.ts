// spec.placement through a real kube-apiserver and kube-controller-manager: the CRD accepts the fields, Pods
// and Deployment templates without the RuntimeClass or attested-node guarantee are refused with what is
// missing, and with placement.mutate the Pods the controllers create get the RuntimeClass and node label.
import { mkdtemp } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { cosignSign, generateCosignKey, type CosignKey } from '../harness/cosign';
import { pushRandomImage } from '../harness/images';
import { selfSignedCert } from '../harness/tls';
import { cosignPolicy } from '../harness/webhook';
import { deploymentYaml as renderDeployment } from './harness/manifests';
import { loadE2E, type E2E } from './harness/env';
import { kubectlFor, waitFor } from './harness/kubectl';
import { installLocalWebhook, type LocalWebhook } from './harness/local-webhook';

const e2e: E2E = loadE2E();
const IN_CLUSTER = e2e.mode.webhook === 'in-cluster';
const SUFFIX = Math.random().toString(36).slice(2, 7);
/** A namespace, policies and RuntimeClass of this file's own, removed afterwards. */
const TEAM = `place-${SUFFIX}`;
const STRICT = `e2e-place-strict-${SUFFIX}`;
const MUTATE = `e2e-place-mutate-${SUFFIX}`;
const RUNTIME_CLASS = `kata-qemu-tdx-${SUFFIX}`;
const LABEL = 'trust.example/attested';
/** How long the controllers may take to turn a Deployment into a Pod through both webhooks. */
const POD_TIMEOUT_MS = 90_000;

const { k, ok } = kubectlFor(e2e);

let key: CosignKey;
let webhook: LocalWebhook | undefined;
let strictRef: string;
let mutateRef: string;

// policyYaml: images under `glob` must be signed with `key` and run as `placement` says.
function policyYaml(name: string, glob: string, placement: string): string {
  return cosignPolicy(name, [glob], key.publicKeyPem, { spec: [`placement: ${placement}`] });
}

// podYaml renders a Pod running `image` with extra spec lines (YAML flow map entries).
function podYaml(name: string, image: string, spec = ''): string {
  return `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${TEAM}}\nspec: {${spec}containers: [{name: app, image: "${image}"}]}\n`;
}

// deploymentYaml renders a one-replica Deployment in the team's namespace whose template runs `image` with extra
// spec lines.
function deploymentYaml(name: string, image: string, spec = ''): string {
  return renderDeployment(TEAM, name, image, { spec });
}

const ATTESTED = `runtimeClassName: ${RUNTIME_CLASS}, nodeSelector: {${LABEL}: "true"}, `;
const affinity = (values: string[][]) =>
  `runtimeClassName: ${RUNTIME_CLASS}, affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [${values
    .map(([key, value]) => `{matchExpressions: [{key: "${key}", operator: In, values: ["${value}"]}]}`)
    .join(', ')}]}}}, `;

beforeAll(async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-e2e-place-'));
  key = await generateCosignKey();
  const pushHost = e2e.mode.registry?.push ?? e2e.referrers.host;
  const pullHost = e2e.mode.registry?.pull ?? e2e.referrers.host;
  const strict = await pushRandomImage(pushHost, `place-${SUFFIX}/strict/app`, 'v1');
  const mutate = await pushRandomImage(pushHost, `place-${SUFFIX}/mutate/app`, 'v1');
  await cosignSign(key, strict.ref, 'v3');
  await cosignSign(key, mutate.ref, 'v3');
  strictRef = `${pullHost}/place-${SUFFIX}/strict/app@${strict.digest}`;
  mutateRef = `${pullHost}/place-${SUFFIX}/mutate/app:v1`;
  if (!IN_CLUSTER) webhook = await installLocalWebhook(e2e, dir, selfSignedCert(dir, 'webhook'));
  await ok(['create', 'namespace', TEAM]);
  await ok(
    ['apply', '-f', '-'],
    `apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: ${RUNTIME_CLASS}}\nhandler: kata\n`,
  );
  const classes = `runtimeClassNames: [${RUNTIME_CLASS}]`;
  await ok(
    ['apply', '-f', '-'],
    policyYaml(
      STRICT,
      `${pullHost}/place-${SUFFIX}/strict/**`,
      `{${classes}, nodeSelector: {${LABEL}: "true"}}`,
    ),
  );
  await ok(
    ['apply', '-f', '-'],
    policyYaml(
      MUTATE,
      `${pullHost}/place-${SUFFIX}/mutate/**`,
      `{${classes}, nodeSelector: {${LABEL}: "true"}, mutate: true}`,
    ),
  );
  // The webhook is in the path with the strict policy once it refuses a Pod without the RuntimeClass.
  const inPath = await waitFor(async () => {
    const r = await k(['apply', '--dry-run=server', '-f', '-'], podYaml('probe', strictRef));
    return r.code !== 0 && r.stderr.includes(STRICT);
  }, 60_000);
  if (!inPath) throw new Error(`the webhook never applied ${STRICT}:\n${webhook?.serve.logs() ?? ''}`);
}, 300_000);

afterAll(async () => {
  await k(['delete', 'namespace', TEAM, '--ignore-not-found', '--wait=false']);
  await k(['delete', 'clusterimagepolicy', STRICT, MUTATE, '--ignore-not-found']);
  await k(['delete', 'runtimeclass', RUNTIME_CLASS, '--ignore-not-found']);
  await webhook?.stop();
});

describe('placement through the API server', () => {
  it('refuses a Pod without the RuntimeClass and label, saying exactly what is missing', async () => {
    const r = await k(['apply', '--dry-run=server', '-f', '-'], podYaml('bare', strictRef));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(
      `is governed by policy ClusterImagePolicy/${STRICT}, which requires runtimeClassName one of [${RUNTIME_CLASS}]; the pod requests none`,
    );
    expect(r.stderr).toContain(
      `requires node label ${LABEL}=true; the pod's nodeSelector and required node affinity`,
    );
  });

  it('admits a Pod on the RuntimeClass and attested nodes', async () => {
    const r = await k(['apply', '--dry-run=server', '-f', '-'], podYaml('attested', strictRef, ATTESTED));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('judges a Deployment on its template: refused without, admitted with every affinity term', async () => {
    const bare = await k(['apply', '--dry-run=server', '-f', '-'], deploymentYaml('bare', strictRef));
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toContain('spec.template.spec.containers[0].image');
    const lacking = affinity([
      [LABEL, 'true'],
      ['topology.kubernetes.io/zone', 'eu-1'],
    ]);
    const partial = await k(
      ['apply', '--dry-run=server', '-f', '-'],
      deploymentYaml('partial', strictRef, lacking),
    );
    expect(partial.stderr).toContain('term 2 of 2 lacks it');
    const both = affinity([
      [LABEL, 'true'],
      [LABEL, 'true'],
    ]);
    const ok2 = await k(['apply', '--dry-run=server', '-f', '-'], deploymentYaml('both', strictRef, both));
    expect(ok2.stderr).toBe('');
  });

  it(
    'with placement.mutate, the Pods the controllers create get the RuntimeClass and the node label',
    async () => {
      await ok(['apply', '-f', '-'], deploymentYaml('mutated', mutateRef));
      const jsonpath = `jsonpath={.items[*].spec.runtimeClassName} {.items[*].spec.nodeSelector.trust\\.example/attested}`;
      const pods = async () =>
        (await k(['get', 'pods', '-n', TEAM, '-l', 'app=mutated', '-o', jsonpath])).stdout.trim();
      const made = await waitFor(async () => (await pods()) !== '', POD_TIMEOUT_MS);
      if (!made) throw new Error(`no Pod of mutated was admitted:\n${webhook?.serve.logs() ?? ''}`);
      expect(await pods()).toBe(`${RUNTIME_CLASS} true`);
    },
    POD_TIMEOUT_MS + 30_000,
  );
});
