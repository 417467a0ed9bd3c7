// StatusWriter against a fake custom-objects API: which objects get a PATCH, how often, and on failure.
import { MIN_STATUS_WRITE_INTERVAL_MS, StatusWriter, type StatusApi } from '../../../src/kube/status-writer';
import type { CompileOutcome, PolicyResource } from '../../../src/kube/policy-objects';
import { toPolicyStatus } from '../../../src/policy';
import { PolicyError } from '../../../src/policy/errors';
import { fakePolicy } from '../policy/helpers';
import { apiError, captureLogger, recorder } from './fakes';

const ok: CompileOutcome = { policy: fakePolicy() };
const bad: CompileOutcome = {
  error: new PolicyError('POLICY_SECRET_NOT_FOUND', 'x', {
    fieldErrors: [
      {
        path: 'spec.authorities[0].cosign.key.secretRef',
        code: 'POLICY_SECRET_NOT_FOUND',
        message: 'Secret sec/c not found',
      },
    ],
  }),
};
const obj = (rv: string, status?: PolicyResource['status']): PolicyResource => ({
  apiVersion: 'portcullis.dev/v1alpha1',
  kind: 'ClusterImagePolicy',
  metadata: { name: 'p', uid: 'u1', generation: 2, resourceVersion: rv },
  ...(status ? { status } : {}),
});

// api records patches; `fail` makes them fail with that error.
function api(fail?: Error) {
  const patch = recorder(async (_p: unknown) => {
    if (fail) throw fail;
    return {};
  });
  return { patchClusterCustomObjectStatus: patch, patchNamespacedCustomObjectStatus: patch, patch };
}

describe('StatusWriter', () => {
  it('writes a changed status once, skips it while the echo is pending, and writes nothing when in sync', async () => {
    let now = 1_000_000;
    const a = api();
    const writer = new StatusWriter(a as unknown as StatusApi, captureLogger().logger, () => now);
    expect(await writer.reconcile([{ obj: obj('1'), outcome: ok }])).toBeUndefined();
    expect(await writer.reconcile([{ obj: obj('1'), outcome: ok }])).toBeUndefined();
    expect(a.patch.calls).toHaveLength(1);
    const written = toPolicyStatus(2, ok, new Date(now));
    now += 10;
    expect(await writer.reconcile([{ obj: obj('2', written), outcome: ok }])).toBeUndefined();
    expect(a.patch.calls).toHaveLength(1);
  });

  it('writes a real change at once (the object still carries our last write)', async () => {
    let now = 1_000_000;
    const a = api();
    const writer = new StatusWriter(a as unknown as StatusApi, captureLogger().logger, () => now);
    await writer.reconcile([{ obj: obj('1'), outcome: ok }]);
    const ours = toPolicyStatus(2, ok, new Date(now));
    now += 10;
    expect(await writer.reconcile([{ obj: obj('2', ours), outcome: bad }])).toBeUndefined();
    expect(a.patch.calls).toHaveLength(2);
  });

  it(`backs off ${MIN_STATUS_WRITE_INTERVAL_MS} ms from a status another writer changed, and says when to retry`, async () => {
    let now = 1_000_000;
    const a = api();
    const writer = new StatusWriter(a as unknown as StatusApi, captureLogger().logger, () => now);
    await writer.reconcile([{ obj: obj('1'), outcome: ok }]);
    now += 1000;
    const theirs = toPolicyStatus(2, bad, new Date(now)); // another replica says not ready
    expect(await writer.reconcile([{ obj: obj('2', theirs), outcome: ok }])).toBe(
      MIN_STATUS_WRITE_INTERVAL_MS - 1000,
    );
    expect(a.patch.calls).toHaveLength(1);
    now += MIN_STATUS_WRITE_INTERVAL_MS;
    expect(await writer.reconcile([{ obj: obj('2', theirs), outcome: ok }])).toBeUndefined();
    expect(a.patch.calls).toHaveLength(2);
  });

  it.each([
    { status: 403, retry: true, log: 'does the ServiceAccount have patch on clusterimagepolicies/status?' },
    { status: 404, retry: false, log: undefined },
  ])('a failed PATCH ($status) is logged, never thrown', async ({ status, retry, log }) => {
    const a = api(apiError(status, 'nope'));
    const { logger, lines } = captureLogger();
    const writer = new StatusWriter(a as unknown as StatusApi, logger, () => 5);
    const result = await writer.reconcile([{ obj: obj('1'), outcome: ok }]);
    expect(result !== undefined).toBe(retry);
    const warned = lines().find((l) => l.includes('KUBE_STATUS_WRITE_FAILED'));
    if (log) expect(warned).toContain(log);
    else expect(warned).toBeUndefined();
  });
});
