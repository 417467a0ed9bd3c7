// Chart knobs for real clusters: security contexts from values, priority class, startupProbe, commonLabels,
// podAnnotations, and the clear failure of cert-manager mode on a cluster without cert-manager.
import { CHART, findHelm, only, render, runHelm, type K8sObject } from './helm';

const helm = findHelm();

// podOf returns the rendered Deployment's pod spec and its webhook container.
function podOf(objects: readonly K8sObject[]): { pod: K8sObject; container: K8sObject; meta: K8sObject } {
  const d = only(objects, 'Deployment');
  return {
    pod: d.spec.template.spec,
    container: d.spec.template.spec.containers[0],
    meta: d.spec.template.metadata,
  };
}

// knobTests registers the tests that need the real helm binary.
function knobTests(h: string): void {
  test('defaults: hardened security contexts, system-cluster-critical, a startupProbe on /healthz', () => {
    const { pod, container } = podOf(render(h));
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.startupProbe).toMatchObject({
      httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' },
      periodSeconds: 2,
      failureThreshold: 60,
    });
  });

  test('values replace the security contexts and priority class; the startupProbe can be turned off', () => {
    const { pod, container } = podOf(
      render(h, [
        '--set-json',
        'podSecurityContext={"runAsNonRoot":true,"runAsUser":1001,"seccompProfile":{"type":"RuntimeDefault"}}',
        '--set',
        'securityContext.runAsUser=1001',
        '--set',
        'priorityClassName=',
        '--set',
        'startupProbe.enabled=false',
      ]),
    );
    // Helm merges maps with the defaults: a key is removed by setting it to null.
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001 });
    expect(container.securityContext.runAsUser).toBe(1001);
    expect(pod).not.toHaveProperty('priorityClassName');
    expect(container).not.toHaveProperty('startupProbe');
  });

  test('commonLabels land on every object; podAnnotations on the pod', () => {
    const objects = render(h, [
      '--set',
      'commonLabels.team=platform',
      '--set',
      'podAnnotations.example\\.com/a=b',
    ]);
    for (const o of objects)
      expect({ kind: o.kind, team: o.metadata.labels?.team }).toEqual({ kind: o.kind, team: 'platform' });
    expect(podOf(objects).meta.annotations).toEqual({ 'example.com/a': 'b' });
  });

  test('cert-manager mode fails clearly where cert-manager.io/v1 is not served, unless skipCrdCheck', () => {
    const bare = ['template', 'portcullis', CHART, '--set', 'certManager.enabled=true'];
    const run = runHelm(h, bare);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(
      'certManager.enabled needs cert-manager: this cluster does not serve cert-manager.io/v1',
    );
    expect(runHelm(h, [...bare, '--set', 'certManager.skipCrdCheck=true']).status).toBe(0);
  });

  test.each([
    ['resources.requests.cpu=lots', 'resources'],
    ['tolerations[0].operator=Maybe', 'tolerations'],
    ['affinity.nodeAffinty.x=y', 'affinity'],
  ])('values.schema.json rejects --set %s', (set, field) => {
    const run = runHelm(h, ['template', 'portcullis', CHART, '--set', set]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(field);
  });
}

if (helm.path === undefined) test.skip(`chart rendering skipped: ${helm.reason}`, () => undefined);
else knobTests(helm.path);
