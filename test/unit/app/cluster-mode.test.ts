// serve's source selection and the guard that refuses to judge before the cluster policies are synced.
import { toAdmissionFacts } from '../../../src/admission';
import type { AdmissionRequestFacts } from '../../../src/admission/admission.types';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { guardUntilSynced, openServeSources } from '../../../src/app/serve-sources';
import { Metrics } from '../../../src/observability/metrics';
import { ADMIT_UNREVIEWED, type RequestEvaluation } from '../../../src/engine/evaluate-request';
import { EMPTY_SNAPSHOT } from '../../../src/policy-sources/snapshot';
import { KubeError } from '../../../src/kube/errors';
import { ConfigError } from '../../../src/errors';
import { startClusterMode } from '../../../src/app/cluster-mode';
import { captureLogger, fakeClients, until } from '../kube/fakes';

const req = (operation: AdmissionRequestFacts['operation']): AdmissionRequestFacts => ({
  uid: 'u',
  kind: { group: '', version: 'v1', kind: 'Pod' },
  namespace: 'ns',
  operation,
  userInfo: { username: 'alice', groups: [] },
  dryRun: false,
  object: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
});
const evaluated: RequestEvaluation = { decision: ADMIT_UNREVIEWED, uses: [], reviewed: true };

describe('guardUntilSynced', () => {
  it.each([
    { ready: false, operation: 'CREATE' as const, refused: true },
    { ready: false, operation: 'DELETE' as const, refused: false },
    { ready: true, operation: 'CREATE' as const, refused: false },
  ])('ready=$ready $operation → refused=$refused', async ({ ready, operation, refused }) => {
    const guarded = guardUntilSynced(
      { current: () => EMPTY_SNAPSHOT, ready: () => ready },
      async () => evaluated,
    );
    const result = guarded(toAdmissionFacts(req(operation)), Date.now() + 1000);
    if (refused) {
      await expect(result).rejects.toThrowWithCode('KUBE_NOT_SYNCED', { instanceOf: KubeError });
    } else {
      await expect(result).resolves.toBe(evaluated);
    }
  });
});

describe('startClusterMode', () => {
  it('is ready once policies and namespaces are synced', async () => {
    const clients = fakeClients({
      custom: {
        listClusterCustomObject: async () => ({ items: [] }),
        patchClusterCustomObjectStatus: async () => ({}),
        patchNamespacedCustomObjectStatus: async () => ({}),
      },
      core: {
        readNamespacedSecret: async () => ({}),
        readNamespacedConfigMap: async () => ({}),
        readNamespacedServiceAccount: async () => ({}),
        listNamespace: async () => ({ items: [{ metadata: { name: 'ns', labels: { a: 'b' } } }] }),
      },
    });
    const mode = startClusterMode({ clients, logger: captureLogger().logger, instance: 'test' });
    expect(mode.policies.ready()).toBe(false);
    await mode.whenReady();
    expect(mode.policies.ready()).toBe(true);
    expect(await mode.namespaceLabels('ns')).toEqual({ a: 'b' });
    expect(await mode.pullSecrets.dockerConfigsFor('ns', { annotations: {}, imagePullSecrets: [] })).toEqual(
      [],
    );
    await mode.stop();
  });
});

describe('openServeSources', () => {
  it('uses the policy folder with --policy-dir (ready at once, no cluster)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-dir-'));
    copyFileSync(join(__dirname, '../../fixtures/policies/valid/cluster-minimal.yaml'), join(dir, 'p.yaml'));
    const sources = openServeSources({ policyDir: dir }, captureLogger().logger, new Metrics());
    expect(sources.mode).toBe('policy-dir');
    expect(sources.policies.ready()).toBe(true);
    expect(sources.onDecision).toBeUndefined();
    await sources.stop();
  });

  it('reads --namespace-labels beside --policy-dir: the labels of a listed namespace, none for another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-dir-'));
    copyFileSync(join(__dirname, '../../fixtures/policies/valid/cluster-minimal.yaml'), join(dir, 'p.yaml'));
    const labels = join(mkdtempSync(join(tmpdir(), 'portcullis-labels-')), 'labels.yaml');
    writeFileSync(labels, 'prod: {team: payments}\n');
    const sources = openServeSources(
      { policyDir: dir, namespaceLabels: labels },
      captureLogger().logger,
      new Metrics(),
    );
    expect(await sources.namespaceLabels?.('prod')).toMatchObject({ team: 'payments' });
    expect(await sources.namespaceLabels?.('dev')).toBeUndefined();
    await sources.stop();
  });

  it('refuses --namespace-labels without --policy-dir (the cluster has the labels)', () => {
    expect(() =>
      openServeSources({ namespaceLabels: 'labels.yaml' }, captureLogger().logger, new Metrics()),
    ).toThrowWithCode('CONFIG_INVALID_FLAG', { instanceOf: ConfigError, message: 'in cluster mode' });
  });

  it('starts cluster mode from --kubeconfig, not ready while the API server is unreachable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-kc-'));
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const { logger, lines } = captureLogger();
    const sources = openServeSources({ kubeconfig: file }, logger, new Metrics());
    expect(sources.mode).toBe('cluster');
    expect(typeof sources.onDecision).toBe('function');
    await until(() => lines().some((l) => l.includes('KUBE_SYNC_FAILED')));
    expect(sources.policies.ready()).toBe(false);
    await sources.stop();
  });
});
