// A keyless cosign policy whose TrustedRoot comes from a ConfigMap, through the real kube-apiserver, with the
// cluster sources running as a ServiceAccount that has exactly ADR 0006's ClusterRole: Ready when the ConfigMap
// holds a root, not Ready with a message that says why when it is missing or holds garbage, and a change of the
// ConfigMap recompiles the policy.
import { stringify } from 'yaml';
import * as path from 'node:path';
import { startClusterMode, type ClusterMode } from '../../src/app/cluster-mode';
import { createKubeClients } from '../../src/kube';
import type { CompiledCosignAuthority, PolicyStatus } from '../../src/policy';
import { REPO_ROOT } from '../harness/tools';
import { publicGoodRootText, rootWithRekorAt } from '../harness/trusted-roots';
import { captureLogger } from '../unit/kube/fakes';
import { adrServiceAccount } from './harness/adr-role';
import { loadE2E } from './harness/env';
import { kubectlFor, waitFor, type Kubectl } from './harness/kubectl';

const S = Math.random().toString(36).slice(2, 7);
const SYS = `tr-sys-${S}`;
const ROOTS = `tr-roots-${S}`;
const SA = 'tr-webhook';
const ROLE = `tr-portcullis-${S}`;
const POLICY = `tr-keyless-${S}`;
const FIELD = 'spec.authorities[0].cosign.keyless.trustedRoot.configMapRef';

jest.setTimeout(90_000);

let kc: Kubectl;
let mode: ClusterMode;
/** The compiled root (source and id) once the policy first became Ready. */
let firstRoot: string | undefined;

// keylessPolicy is a ClusterImagePolicy whose one keyless authority takes its root from ConfigMap ROOTS/`name`.
function keylessPolicy(name: string): string {
  return stringify({
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: 'ClusterImagePolicy',
    metadata: { name: POLICY },
    spec: {
      images: [{ glob: `tr-${S}.example/**` }],
      authorities: [
        {
          name: 'ci',
          cosign: {
            keyless: {
              identities: [
                {
                  issuer: 'https://token.actions.githubusercontent.com',
                  subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
                },
              ],
              trustedRoot: { configMapRef: { name, namespace: ROOTS } },
            },
          },
        },
      ],
    },
  });
}

// putConfigMap creates or replaces ConfigMap ROOTS/`name` with one key.
async function putConfigMap(name: string, key: string, value: string): Promise<void> {
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ROOTS },
    data: { [key]: value },
  };
  await kc.ok(['apply', '-f', '-'], stringify(cm));
}

// ready waits until the policy's Ready condition has `status` for its generation and `reason`, and returns it.
async function ready(
  status: 'True' | 'False',
  reason?: string,
): Promise<{ reason: string; message: string }> {
  let last: { reason: string; message: string } | undefined;
  const seen = await waitFor(async () => {
    const r = await kc.k(['get', 'clusterimagepolicy', POLICY, '-o', 'json']);
    if (r.code !== 0) return false;
    const obj = JSON.parse(r.stdout) as { metadata: { generation: number }; status?: PolicyStatus };
    const cond = obj.status?.conditions?.find((c) => c.type === 'Ready');
    if (cond === undefined || obj.status?.observedGeneration !== obj.metadata.generation) return false;
    last = { reason: cond.reason ?? '', message: cond.message ?? '' };
    return cond.status === status && (reason === undefined || cond.reason === reason);
  }, 30_000);
  if (!seen || last === undefined)
    throw new Error(`Ready never became ${status} ${reason ?? ''}: ${JSON.stringify(last)}`);
  return last;
}

// compiledRootSource is the source of the trusted root the live compiled policy uses, if it compiled.
function compiledRootSource(): string | undefined {
  const p = mode.policies.current().policies.find((x) => x.id === `ClusterImagePolicy/${POLICY}`);
  const a = p?.authorities[0] as CompiledCosignAuthority | undefined;
  const root = a?.keyless?.trustedRoot;
  return root?.kind === 'given' ? `${root.root.source} ${root.root.id}` : undefined;
}

beforeAll(async () => {
  const e2e = loadE2E();
  kc = kubectlFor(e2e);
  const crds = path.join(REPO_ROOT, 'manifests', 'crds');
  await kc.ok(['apply', '--server-side', '-f', crds]);
  await kc.ok(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
  for (const ns of [SYS, ROOTS]) await kc.ok(['create', 'namespace', ns]);
  const sa = await adrServiceAccount(
    async (args, input) => (await kc.ok(args, input)).stdout,
    e2e.controlPlane,
    {
      namespace: SYS,
      sa: SA,
      role: ROLE,
    },
  );
  mode = startClusterMode({
    clients: createKubeClients(sa),
    logger: captureLogger('warn').logger,
    instance: `e2e-${S}`,
    secretRefreshMs: 1000,
  });
  await mode.whenReady();
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  await kc.k(['delete', 'clusterimagepolicy', POLICY, '--ignore-not-found']);
  await kc.k(['delete', 'namespace', SYS, ROOTS, '--wait=false']);
  await kc.k(['delete', 'clusterrolebinding,clusterrole', ROLE, '--ignore-not-found']);
});

describe('keyless trustedRoot from a ConfigMap', () => {
  it('is not Ready while the ConfigMap is missing, and becomes Ready when it appears', async () => {
    await kc.ok(['apply', '-f', '-'], keylessPolicy('sigstore-root'));
    const missing = await ready('False', 'POLICY_CONFIGMAP_NOT_FOUND');
    expect(missing.message).toContain(
      `${FIELD}: [POLICY_CONFIGMAP_NOT_FOUND] ConfigMap ${ROOTS}/sigstore-root not found`,
    );
    await putConfigMap('sigstore-root', 'trusted_root.json', publicGoodRootText());
    await ready('True', 'Compiled');
    firstRoot = compiledRootSource();
    expect(firstRoot).toContain(`ConfigMap ${ROOTS}/sigstore-root key "trusted_root.json"`);
  });

  it('is not Ready when the ConfigMap holds garbage or lacks the key, and a fixed ConfigMap recompiles it', async () => {
    await putConfigMap('sigstore-root', 'trusted_root.json', 'this is not a trusted root');
    const garbage = await ready('False', 'POLICY_TRUSTED_ROOT_INVALID');
    expect(garbage.message).toContain(
      `${FIELD}: [POLICY_TRUSTED_ROOT_INVALID] ConfigMap ${ROOTS}/sigstore-root key "trusted_root.json" is not a trusted root: the trusted root is not JSON`,
    );
    await kc.ok(['delete', 'configmap', 'sigstore-root', '-n', ROOTS]);
    await putConfigMap('sigstore-root', 'root.json', publicGoodRootText());
    const noKey = await ready('False', 'POLICY_CONFIGMAP_NOT_FOUND');
    expect(noKey.message).toContain(`has no key "trusted_root.json" (keys present: root.json)`);
    await kc.ok(['delete', 'configmap', 'sigstore-root', '-n', ROOTS]);
    await putConfigMap(
      'sigstore-root',
      'trusted_root.json',
      rootWithRekorAt('https://rekor.internal.example'),
    );
    await ready('True', 'Compiled');
    expect(compiledRootSource()).toContain(`ConfigMap ${ROOTS}/sigstore-root`);
    expect(compiledRootSource()).not.toBe(firstRoot);
    expect(mode.policies.current().broken.map((b) => b.policy.id)).not.toContain(
      `ClusterImagePolicy/${POLICY}`,
    );
  });
});
