// The Helm chart, rendered by the real helm for every ci/<scenario>-values.yaml: the webhook settings that keep
// the cluster safe (fail closed, timeouts, excluded namespaces) and the hardened Deployment.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CHART, NAMESPACE, findHelm, only, render, type K8sObject } from './helm';

const helm = findHelm();

interface Scenario {
  readonly file: string;
  readonly inCluster: boolean;
  readonly replicas: number;
  readonly timeoutSeconds: number;
  /** The Secret the serving pair is mounted from; undefined when the webhook writes it (self-managed). */
  readonly tlsSecret: string | undefined;
  readonly extraExcluded: readonly string[];
  /** The plain-HTTP metrics port (--metrics-listen), served next to the webhook port. */
  readonly metricsPort: number;
  /** The non-root user (and group) of the pod and the webhook container. */
  readonly uid: number;
  /** networkPolicy.enabled: a NetworkPolicy selects the webhook pods. */
  readonly networkPolicy: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  {
    file: 'default-values.yaml',
    inCluster: true,
    replicas: 3,
    timeoutSeconds: 10,
    tlsSecret: undefined,
    extraExcluded: [],
    metricsPort: 9090,
    uid: 65532,
    networkPolicy: false,
  },
  {
    file: 'cert-manager-values.yaml',
    inCluster: true,
    replicas: 3,
    timeoutSeconds: 10,
    tlsSecret: 'portcullis-tls',
    extraExcluded: [],
    metricsPort: 9090,
    uid: 65532,
    networkPolicy: false,
  },
  {
    file: 'existing-secret-values.yaml',
    inCluster: true,
    replicas: 2,
    timeoutSeconds: 10,
    tlsSecret: 'portcullis-serving-tls',
    extraExcluded: ['local-path-storage'],
    metricsPort: 9090,
    uid: 65532,
    networkPolicy: false,
  },
  {
    file: 'observability-values.yaml',
    inCluster: true,
    replicas: 3,
    timeoutSeconds: 10,
    tlsSecret: undefined,
    extraExcluded: [],
    metricsPort: 9100,
    uid: 65532,
    networkPolicy: false,
  },
  {
    file: 'external-url-values.yaml',
    inCluster: false,
    replicas: 0,
    timeoutSeconds: 15,
    tlsSecret: undefined,
    extraExcluded: [],
    metricsPort: 9090,
    uid: 65532,
    networkPolicy: false,
  },
  {
    file: 'networkpolicy-values.yaml',
    inCluster: true,
    replicas: 3,
    timeoutSeconds: 10,
    tlsSecret: undefined,
    extraExcluded: [],
    metricsPort: 9090,
    uid: 10001,
    networkPolicy: true,
  },
];

const VALIDATING_RULES = [
  { apiGroups: [''], resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'] },
  { apiGroups: ['apps'], resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'] },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'] },
];

// adrRules reads the ClusterRole that docs/adr/0006-rbac-and-secrets.md fixes (its one yaml block).
function adrRules(): unknown[] {
  const adr = readFileSync(join(CHART, '..', '..', 'docs', 'adr', '0006-rbac-and-secrets.md'), 'utf8');
  const block = /```yaml\n([\s\S]*?)```/.exec(adr)?.[1];
  if (block === undefined) throw new Error('ADR 0006 has no yaml block');
  return parse(block).rules;
}

const ADR_RULES = adrRules();

// renderScenario renders the chart with one ci values file.
function renderScenario(file: string): K8sObject[] {
  return render(helm.path as string, ['-f', join(CHART, 'ci', file)]);
}

describe('ci scenarios', () => {
  test('every ci/*-values.yaml file has a row here', () => {
    const files = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml'));
    expect(files.sort()).toEqual(SCENARIOS.map((s) => s.file).sort());
  });
});

// scenarioTests registers the checks of one rendered scenario.
function scenarioTests(s: Scenario): void {
  const objects = renderScenario(s.file);
  const webhooks = [
    only(objects, 'ValidatingWebhookConfiguration').webhooks,
    only(objects, 'MutatingWebhookConfiguration').webhooks,
  ].flat();

  test('both webhooks fail closed with an explicit timeout, v1 reviews and no side effects', () => {
    expect(webhooks).toHaveLength(2);
    for (const w of webhooks) {
      expect(w).toMatchObject({
        failurePolicy: 'Fail',
        sideEffects: 'None',
        timeoutSeconds: s.timeoutSeconds,
        admissionReviewVersions: ['v1'],
        matchPolicy: 'Equivalent',
      });
    }
  });

  test('both webhooks skip the release namespace, kube-system and the extra exclusions', () => {
    for (const w of webhooks) {
      expect(w.namespaceSelector.matchExpressions[0]).toEqual({
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: [NAMESPACE, 'kube-system', ...s.extraExcluded],
      });
    }
  });

  test('validating: CREATE and UPDATE of every pod-bearing kind; mutating: CREATE and UPDATE of pods and pods/ephemeralcontainers (pinning), reinvoked', () => {
    const [validating, mutating] = webhooks;
    expect(validating.rules).toEqual(
      VALIDATING_RULES.map((r) => ({
        ...r,
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        scope: 'Namespaced',
      })),
    );
    expect(mutating.rules).toEqual([
      {
        apiGroups: [''],
        apiVersions: ['v1'],
        operations: ['CREATE', 'UPDATE'],
        resources: ['pods', 'pods/ephemeralcontainers'],
        scope: 'Namespaced',
      },
    ]);
    expect(mutating.reinvocationPolicy).toBe('IfNeeded');
  });

  test('the webhooks call the Service on 443, or webhook.url outside the cluster', () => {
    const values = parse(readFileSync(join(CHART, 'ci', s.file), 'utf8')) ?? {};
    const [validating, mutating] = webhooks;
    if (s.inCluster) {
      expect(validating.clientConfig.service).toEqual({
        name: 'portcullis',
        namespace: NAMESPACE,
        path: '/validate',
        port: 443,
      });
      expect(mutating.clientConfig.service).toMatchObject({ path: '/mutate', port: 443 });
    } else {
      expect(validating.clientConfig).toEqual({
        url: `${values.webhook.url}/validate`,
        caBundle: values.webhook.caBundle,
      });
      expect(mutating.clientConfig).toEqual({
        url: `${values.webhook.url}/mutate`,
        caBundle: values.webhook.caBundle,
      });
    }
  });

  test('the ClusterRole grants exactly the rules of ADR 0006; Secrets only by get, never list or watch', () => {
    const role = only(objects, 'ClusterRole', 'portcullis');
    expect(role.rules).toEqual(ADR_RULES);
    const secretRules = role.rules.filter((r: { resources: string[] }) => r.resources.includes('secrets'));
    expect(secretRules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    const binding = only(objects, 'ClusterRoleBinding', 'portcullis');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'portcullis', namespace: NAMESPACE }]);
  });

  if (!s.inCluster) {
    test('no Deployment, Service or PodDisruptionBudget: the webhook runs elsewhere', () => {
      const kinds = objects.map((o) => o.kind);
      for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'Secret'])
        expect(kinds).not.toContain(kind);
    });
    return;
  }

  test(`a NetworkPolicy selects the webhook pods: ${s.networkPolicy}`, () => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'portcullis');
    expect(policies).toHaveLength(s.networkPolicy ? 1 : 0);
  });

  const deployment = only(objects, 'Deployment', 'portcullis');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;

  test(`the Deployment runs ${s.replicas} replicas, spread over nodes, behind a PodDisruptionBudget`, () => {
    expect(deployment.spec.replicas).toBe(s.replicas);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(term.podAffinityTerm.labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const pdb = only(objects, 'PodDisruptionBudget');
    expect(pdb.spec.selector).toEqual(deployment.spec.selector);
    expect(Object.keys(pdb.spec).filter((k) => k === 'maxUnavailable' || k === 'minAvailable')).toHaveLength(
      1,
    );
  });

  test('the pod is non-root with a read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: s.uid,
      fsGroup: s.uid,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: s.uid,
      runAsGroup: s.uid,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(container.resources.limits).toHaveProperty('memory');
  });

  test('probes hit /healthz and /readyz over HTTPS on the serving port; the Service maps 443 to it, and the metrics port', () => {
    expect(container.ports).toEqual([
      { name: 'https', containerPort: 8443, protocol: 'TCP' },
      { name: 'metrics', containerPort: s.metricsPort, protocol: 'TCP' },
    ]);
    expect(container.args).toEqual(
      expect.arrayContaining(['--metrics-listen', `0.0.0.0:${s.metricsPort}`, '--drain-delay']),
    );
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'https', scheme: 'HTTPS' });
    expect(only(objects, 'Service', 'portcullis').spec.ports).toEqual([
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
      { name: 'metrics', port: s.metricsPort, targetPort: 'metrics', protocol: 'TCP' },
    ]);
  });

  test('serve gets the mounted serving pair, and the pair comes from the mode’s Secret', () => {
    expect(container.args.slice(0, 7)).toEqual([
      'serve',
      '--listen',
      '0.0.0.0:8443',
      '--tls-cert',
      '/var/run/portcullis/tls/tls.crt',
      '--tls-key',
      '/var/run/portcullis/tls/tls.key',
    ]);
    const tls = pod.volumes.find((v: { name: string }) => v.name === 'tls');
    if (s.tlsSecret === undefined) {
      // Self-managed: the webhook writes the pair into a writable in-memory emptyDir.
      expect(tls).toEqual({ name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
      expect(container.volumeMounts).toContainEqual({ name: 'tls', mountPath: '/var/run/portcullis/tls' });
      return;
    }
    expect(tls.secret).toMatchObject({
      secretName: s.tlsSecret,
      items: [{ key: 'tls.crt' }, { key: 'tls.key' }],
    });
    expect(container.volumeMounts).toContainEqual({
      name: 'tls',
      mountPath: '/var/run/portcullis/tls',
      readOnly: true,
    });
  });
}

if (helm.path === undefined) {
  test.skip(`chart rendering skipped: ${helm.reason}`, () => undefined);
} else {
  describe.each(SCENARIOS)('helm template -f ci/$file', scenarioTests);
}
