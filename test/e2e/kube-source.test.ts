// src/kube against the real kube-apiserver, running as a ServiceAccount that has exactly the ClusterRole of
// ADR 0006: policy informers and status, ImagePolicy isolation, namespace labels, pull secrets, Events.
import { generateKeyPairSync } from 'node:crypto';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { startClusterMode, type ClusterMode } from '../../src/app/cluster-mode';
import { createKubeClients, type KubeClients } from '../../src/kube';
import { decide, selectPolicies, type PolicyStatus } from '../../src/policy';
import { toNamespaceLabelFacts } from '../../src/policy/decide/namespace-labels';
import { kubectl, type ControlPlaneInfo } from '../harness/control-plane';
import { REPO_ROOT } from '../harness/tools';
import { captureLogger } from '../unit/kube/fakes';
import { FAIL, facts, fakePolicy, request } from '../unit/policy/helpers';
import { adrServiceAccount } from './harness/adr-role';
import { loadE2E } from './harness/env';

const S = Math.random().toString(36).slice(2, 7);
const SYS = `ks-sys-${S}`;
const NS_A = `ks-a-${S}`;
const NS_B = `ks-b-${S}`;
const SA = 'ks-webhook';
const SA_USER = `system:serviceaccount:${SYS}:${SA}`;
/** Every Secret the sources GET, as namespace/name (the control plane's audit log leaves reads out). */
const secretReads: string[] = [];
const ROLE = `ks-portcullis-${S}`;
const IMAGES = `ks-${S}.example`;
const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .publicKey.export({ type: 'spki', format: 'pem' })
  .toString();
const BAD_PEM = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
const PASSWORD = `pw-${S}-do-not-log`;

/** One test: kubectl round trips plus waits for informers, status writes and the Secret refresh. */
const TEST_TIMEOUT_MS = 60_000;
jest.setTimeout(TEST_TIMEOUT_MS);

let cp: ControlPlaneInfo;
let mode: ClusterMode;
let logs: () => string[];

// k runs kubectl as the admin and fails with its output when it fails.
async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl(cp, args, { allowFailure: true, ...(input === undefined ? {} : { input }) });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

// apply applies one object given as a plain object.
async function apply(obj: Record<string, unknown>): Promise<void> {
  await k(['apply', '-f', '-'], stringify(obj));
}

// eventually polls `check` until it returns a value other than undefined/false.
async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end)
      throw new Error(`condition not met within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// policy renders a ClusterImagePolicy (or an ImagePolicy when `namespace` is set) over this test's images.
function policy(
  name: string,
  key: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  namespace?: string,
): Record<string, unknown> {
  return {
    apiVersion: 'portcullis.dev/v1alpha1',
    kind: namespace ? 'ImagePolicy' : 'ClusterImagePolicy',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: {
      images: [{ glob: `${IMAGES}/**` }],
      authorities: [{ name: 'release', cosign: { key } }],
      ...extra,
    },
  };
}

// readStatus reads a policy's generation and status as the API server stores them.
async function readStatus(
  kind: string,
  name: string,
  namespace?: string,
): Promise<{ generation: number; rv: string; status?: PolicyStatus }> {
  const obj = JSON.parse(
    await k(['get', kind, name, ...(namespace ? ['-n', namespace] : []), '-o', 'json']),
  ) as {
    metadata: { generation: number; resourceVersion: string };
    status?: PolicyStatus;
  };
  return { generation: obj.metadata.generation, rv: obj.metadata.resourceVersion, status: obj.status };
}

// readyOf waits until the policy's Ready condition has `status` for its current generation, and returns it.
async function readyOf(kind: string, name: string, status: 'True' | 'False', namespace?: string) {
  return eventually(async () => {
    const s = await readStatus(kind, name, namespace);
    const ready = s.status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === status && s.status?.observedGeneration === s.generation
      ? { ...s, ready }
      : undefined;
  });
}

// spied passes the real clients through, noting every Secret read (I/O handed in, no module mocking).
function spied(real: KubeClients): KubeClients {
  return {
    ...real,
    core: {
      readNamespacedSecret: (param, options) => {
        secretReads.push(`${param.namespace}/${param.name}`);
        return real.core.readNamespacedSecret(param, options);
      },
      readNamespacedConfigMap: (param, options) => real.core.readNamespacedConfigMap(param, options),
      readNamespacedServiceAccount: (param, options) =>
        real.core.readNamespacedServiceAccount(param, options),
      listNamespace: (param, options) => real.core.listNamespace(param, options),
    },
  };
}

beforeAll(async () => {
  cp = loadE2E().controlPlane;
  const crds = path.join(REPO_ROOT, 'manifests', 'crds');
  await k(['apply', '--server-side', '-f', crds]);
  await k(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
  for (const ns of [SYS, NS_A, NS_B]) await k(['create', 'namespace', ns]);
  const kc = await adrServiceAccount(k, cp, { namespace: SYS, sa: SA, role: ROLE });
  const captured = captureLogger('debug');
  logs = captured.lines;
  mode = startClusterMode({
    clients: spied(createKubeClients(kc)),
    logger: captured.logger,
    instance: `e2e-${S}`,
    secretRefreshMs: 1000,
  });
  await mode.whenReady();
}, 120_000);

afterAll(async () => {
  await mode?.stop();
  for (const name of [`ks-good-${S}`, `ks-broken-${S}`, `ks-selector-${S}`])
    await kubectl(cp, ['delete', 'clusterimagepolicy', name, '--ignore-not-found'], { allowFailure: true });
  await kubectl(cp, ['delete', 'namespace', SYS, NS_A, NS_B, '--wait=false'], { allowFailure: true });
  await kubectl(cp, ['delete', 'clusterrolebinding,clusterrole', ROLE, '--ignore-not-found'], {
    allowFailure: true,
  });
});

describe('policy informers and status', () => {
  it('compiles a ClusterImagePolicy and reports Ready=True with observedGeneration', async () => {
    await apply(policy(`ks-good-${S}`, { data: PEM }));
    await eventually(() =>
      mode.policies.current().policies.some((p) => p.id === `ClusterImagePolicy/ks-good-${S}`),
    );
    const { ready } = await readyOf('clusterimagepolicy', `ks-good-${S}`, 'True');
    expect(ready).toMatchObject({ reason: 'Compiled', message: expect.stringContaining('1 authorities') });
  });

  it('takes tag-limited images and excludeImages through the API server, and selects by them', async () => {
    const name = `ks-tags-${S}`;
    const spec = {
      images: [{ glob: `${IMAGES}/app`, tags: ['v1', 'v2'] }],
      excludeImages: [{ glob: `${IMAGES}/other`, tags: ['edge'] }],
    };
    await apply(policy(name, { data: PEM }, spec));
    await readyOf('clusterimagepolicy', name, 'True');
    const live = mode.policies.current().policies;
    const chosen = (image: string, tag: string): boolean =>
      selectPolicies(
        live,
        { name: image, tag, tagBound: true },
        'default',
        toNamespaceLabelFacts('default', {}),
      ).some((p) => p.name === name);
    expect([chosen(`${IMAGES}/app`, 'v1'), chosen(`${IMAGES}/app`, 'v3')]).toEqual([true, false]);
    const stored = JSON.parse(await k(['get', 'clusterimagepolicy', name, '-o', 'json'])) as {
      spec: typeof spec;
      status?: { summary?: { images?: string } };
    };
    expect(stored.spec.excludeImages).toEqual(spec.excludeImages);
    expect(stored.status?.summary?.images).toBe(`${IMAGES}/app:{v1,v2}`);
  });

  it('reports Ready=False naming the broken key, flips to True when fixed, and then stops writing', async () => {
    const name = `ks-broken-${S}`;
    await apply(policy(name, { data: BAD_PEM }));
    const broken = await readyOf('clusterimagepolicy', name, 'False');
    expect(broken.ready.reason).toBe('POLICY_KEY_INVALID');
    expect(broken.ready.message).toContain('spec.authorities[0].cosign.key.data');
    expect(mode.policies.current().broken.map((b) => b.policy.id)).toContain(`ClusterImagePolicy/${name}`);

    await apply(policy(name, { data: PEM }));
    const fixed = await readyOf('clusterimagepolicy', name, 'True');
    expect(fixed.generation).toBe(broken.generation + 1);
    expect(fixed.ready.lastTransitionTime).not.toBe(broken.ready.lastTransitionTime);
    await eventually(() =>
      mode.policies.current().policies.some((p) => p.id === `ClusterImagePolicy/${name}`),
    );
    // Our own status write came back as an update event: no further writes (no loop).
    await new Promise((r) => setTimeout(r, 3000));
    expect((await readStatus('clusterimagepolicy', name)).rv).toBe(fixed.rv);
  });
});

describe('ImagePolicy', () => {
  it('reads its key Secret by name, picks up the Secret when it appears, and applies only in its namespace', async () => {
    const name = 'ks-team';
    await apply(policy(name, { secretRef: { name: 'ks-key', key: 'cosign.pub' } }, {}, NS_A));
    const missing = await readyOf('imagepolicy', name, 'False', NS_A);
    expect(missing.ready.reason).toBe('POLICY_SECRET_NOT_FOUND');
    expect(missing.ready.message).toContain('spec.authorities[0].cosign.key.secretRef');
    await k(['create', 'secret', 'generic', 'ks-key', '-n', NS_A, `--from-literal=cosign.pub=${PEM}`]);
    await readyOf('imagepolicy', name, 'True', NS_A); // within the (shortened) Secret refresh interval
    const id = `ImagePolicy/${NS_A}/${name}`;
    const live = mode.policies.current().policies;
    const select = (ns: string): string[] =>
      selectPolicies(live, { name: `${IMAGES}/app`, tagBound: true }, ns, toNamespaceLabelFacts(ns, {})).map(
        (p) => p.id,
      );
    expect(select(NS_A)).toContain(id);
    expect(select(NS_B)).not.toContain(id);
  });

  it("refuses another namespace's Secret and never reads it", async () => {
    await k(['create', 'secret', 'generic', 'ks-foreign', '-n', NS_B, `--from-literal=cosign.pub=${PEM}`]);
    const name = 'ks-deputy';
    await apply(
      policy(name, { secretRef: { name: 'ks-foreign', namespace: NS_B, key: 'cosign.pub' } }, {}, NS_A),
    );
    const refused = await readyOf('imagepolicy', name, 'False', NS_A);
    expect(refused.ready.message).toContain('spec.authorities[0].cosign.key.secretRef.namespace');
    expect(secretReads).toContain(`${NS_A}/ks-key`); // reads are seen (the previous test's)
    expect(secretReads.filter((r) => r.startsWith(`${NS_B}/`))).toEqual([]);
  });
});

describe('namespace labels', () => {
  it('follows label changes for namespaceSelector', async () => {
    await apply(
      policy(
        `ks-selector-${S}`,
        { data: PEM },
        { namespaceSelector: { matchLabels: { [`ks-tier-${S}`]: 'prod' } } },
      ),
    );
    await k(['label', 'namespace', NS_A, `ks-tier-${S}=prod`]);
    const labels = await eventually(async () => {
      const l = await mode.namespaceLabels(NS_A);
      return l[`ks-tier-${S}`] === 'prod' ? l : undefined;
    });
    const live = await eventually(() => {
      const p = mode.policies.current().policies;
      return p.some((x) => x.name === `ks-selector-${S}`) ? p : undefined;
    });
    const select = (ns: string, l: Readonly<Record<string, string>>): string[] =>
      selectPolicies(live, { name: `${IMAGES}/app`, tagBound: true }, ns, toNamespaceLabelFacts(ns, l)).map(
        (p) => p.name,
      );
    expect(select(NS_A, labels)).toContain(`ks-selector-${S}`);
    expect(select(NS_B, await mode.namespaceLabels(NS_B))).not.toContain(`ks-selector-${S}`);
  });
});

describe('pull secrets', () => {
  it("returns the pod's pull secrets, then its ServiceAccount's, skipping missing ones, never logging them", async () => {
    for (const [secret, server] of [
      ['ks-pod-pull', 'pod.registry.example'],
      ['ks-sa-pull', 'sa.registry.example'],
    ] as const)
      await k([
        'create',
        'secret',
        'docker-registry',
        secret,
        '-n',
        NS_A,
        `--docker-server=${server}`,
        '--docker-username=u',
        `--docker-password=${PASSWORD}`,
      ]);
    await k(['create', 'serviceaccount', 'ks-builder', '-n', NS_A]);
    await k([
      'patch',
      'serviceaccount',
      'ks-builder',
      '-n',
      NS_A,
      '-p',
      JSON.stringify({ imagePullSecrets: [{ name: 'ks-sa-pull' }] }),
    ]);
    const configs = await mode.pullSecrets.dockerConfigsFor(NS_A, {
      annotations: {},
      imagePullSecrets: ['ks-pod-pull', 'ks-missing'],
      serviceAccountName: 'ks-builder',
    });
    const hosts = configs.map((c) => Object.keys((JSON.parse(c) as { auths: object }).auths));
    expect(hosts).toEqual([['pod.registry.example'], ['sa.registry.example']]);
    expect(logs().join('\n')).not.toContain(PASSWORD);
  });
});

describe('Events', () => {
  it('records a denial and a break-glass use on the object, and skips dry runs', async () => {
    const p = fakePolicy({ name: 'release-signed' });
    const failing = [facts([p], { [p.id]: [FAIL()] })];
    const admission = (name: string, dryRun = false) => ({
      uid: `uid-${name}`,
      kind: { group: '', version: 'v1', kind: 'Pod' },
      namespace: NS_A,
      operation: 'CREATE' as const,
      name,
      userInfo: { username: 'alice', groups: [] },
      dryRun,
      object: { metadata: { name, namespace: NS_A } },
    });
    mode.onDecision(admission('ks-denied'), {
      decision: decide(request(), failing),
      uses: [],
      reviewed: true,
    });
    mode.onDecision(admission('ks-dry', true), {
      decision: decide(request(), failing),
      uses: [],
      reviewed: true,
    });
    const glass = decide(request({ breakGlassRequested: true, breakGlassReason: 'INC-7' }), failing);
    mode.onDecision(admission('ks-glass'), { decision: glass, uses: [], reviewed: true });
    type Ev = {
      reason: string;
      note: string;
      type: string;
      reportingController: string;
      regarding: { kind: string; name: string; uid?: string };
    };
    const events = await eventually(async () => {
      const list = JSON.parse(await k(['get', 'events.events.k8s.io', '-n', NS_A, '-o', 'json'])) as {
        items: Ev[];
      };
      return list.items.length >= 2 ? list.items : undefined;
    });
    const denied = events.find((e) => e.reason === 'PortcullisDenied');
    expect(denied).toMatchObject({
      type: 'Warning',
      reportingController: 'portcullis.dev/webhook',
      regarding: { kind: 'Pod', name: 'ks-denied' },
    });
    expect(denied?.regarding.uid).toBeUndefined();
    const bg = events.find((e) => e.reason === 'PortcullisBreakGlass');
    expect(bg?.regarding.name).toBe('ks-glass');
    expect(bg?.note).toMatch(
      /break-glass used by alice \(reason: INC-7\).*registry\.example\.com\/team\/app/,
    );
    expect(events.some((e) => e.regarding.name === 'ks-dry')).toBe(false);
  });
});

describe('RBAC of ADR 0006', () => {
  it.each([
    ['get', 'secrets', 'yes'],
    ['list', 'secrets', 'no'],
    ['watch', 'secrets', 'no'],
    ['get', 'configmaps', 'yes'],
    ['list', 'configmaps', 'no'],
    ['watch', 'configmaps', 'no'],
    ['update', 'clusterimagepolicies.portcullis.dev', 'no'],
    ['patch', 'clusterimagepolicies.portcullis.dev/status', 'yes'],
    ['patch', 'imagepolicies.portcullis.dev/status', 'yes'],
    ['create', 'events.events.k8s.io', 'yes'],
    ['create', 'pods', 'no'],
    ['get', 'namespaces', 'no'],
  ])('%s %s → %s', async (verb, resource, answer) => {
    const [res, sub] = resource.split('/');
    const args = [
      'auth',
      'can-i',
      verb,
      res as string,
      '--all-namespaces',
      `--as=${SA_USER}`,
      ...(sub ? [`--subresource=${sub}`] : []),
    ];
    const r = await kubectl(cp, args, { allowFailure: true });
    expect(r.stdout.trim()).toBe(answer);
  });
});
