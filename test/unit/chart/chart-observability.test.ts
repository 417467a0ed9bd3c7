// The chart's operations values: the metrics port and ServiceMonitor, the PrometheusRule (alerts on the metrics the
// webhook really exports), the Grafana dashboard, matchConditions (gated on Kubernetes 1.28), the drain and its
// termination grace period, and Valkey (bundled or external) with the HMAC key Secret.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CHART, ROOT, findHelm, only, render, template, type K8sObject } from './helm';

const helm = findHelm();
const OBSERVABILITY = join(CHART, 'ci', 'observability-values.yaml');

// withSets renders the chart with `--set` values.
function withSets(h: string, sets: readonly string[]): K8sObject[] {
  return render(
    h,
    sets.flatMap((s) => ['--set', s]),
  );
}

// flagValues lists the values given to `flag` in an argument list.
function flagValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

// exportedMetrics reads every `name: 'portcullis_...'` declared under src/ (the metrics the webhook can export).
function exportedMetrics(dir = join(ROOT, 'src')): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) for (const n of exportedMetrics(path)) names.add(n);
    else if (entry.endsWith('.ts'))
      for (const m of readFileSync(path, 'utf8').matchAll(/name: '(portcullis_[a-z_]+)'/g))
        names.add(m[1] ?? '');
  }
  return names;
}

// metricsIn lists the portcullis_* metric names a PromQL expression reads (histogram suffixes stripped).
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(portcullis_[a-z_]+)/g)].map((m) =>
    (m[1] ?? '').replace(/_(bucket|sum|count)$/, ''),
  );
}

function observabilityTests(h: string): void {
  const objects = render(h, ['-f', OBSERVABILITY]);
  const known = exportedMetrics();

  test('the ServiceMonitor scrapes the plain-HTTP metrics port of the webhook Service', () => {
    const sm = only(objects, 'ServiceMonitor');
    expect(sm.metadata.labels.release).toBe('kube-prometheus-stack');
    expect(sm.spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', scheme: 'http', interval: '15s', scrapeTimeout: '10s' },
    ]);
    const service = only(objects, 'Service', 'portcullis');
    expect(service.metadata.labels).toMatchObject(sm.spec.selector.matchLabels);
    expect(service.spec.ports).toContainEqual({
      name: 'metrics',
      port: 9100,
      targetPort: 'metrics',
      protocol: 'TCP',
    });
  });

  test('the PrometheusRule has every alert, each reading only metrics the webhook exports', () => {
    const rules = only(objects, 'PrometheusRule').spec.groups.flatMap((g: K8sObject) => g.rules);
    expect(rules.map((r: K8sObject) => r.alert).sort()).toEqual([
      'PortcullisBreakGlassUsed',
      'PortcullisCertificateExpiresSoon',
      'PortcullisDenySpike',
      'PortcullisErrors',
      'PortcullisSharedCacheFallback',
      'PortcullisWebhookSlow',
    ]);
    for (const rule of rules) {
      const unknown = metricsIn(rule.expr).filter((m) => !known.has(m));
      expect([rule.alert, unknown]).toEqual([rule.alert, []]);
      expect(rule.annotations.summary).toEqual(expect.any(String));
    }
    const byName = Object.fromEntries(rules.map((r: K8sObject) => [r.alert, r.expr]));
    expect(byName.PortcullisWebhookSlow).toContain('> 1.5');
    expect(byName.PortcullisCertificateExpiresSoon).toContain(`< ${21 * 86400}`);
    expect(byName.PortcullisErrors).toContain('ENGINE_INTERNAL_ERROR');
  });

  test('the Grafana dashboard ConfigMap is labelled for the sidecar and its panels read exported metrics', () => {
    const cm = only(objects, 'ConfigMap', 'portcullis-dashboard');
    expect(cm.metadata.namespace).toBe('monitoring');
    expect(cm.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(cm.data['portcullis.json']);
    const titles: string[] = dashboard.panels.map((p: K8sObject) => p.title);
    for (const want of [
      'Admissions by result',
      'Denials by code',
      'Admission latency p50 / p99',
      'Verdict cache hit ratio',
      'Registry requests',
      'Verifications by scheme',
      'Break-glass uses',
      'Serving certificate',
      'Shared-cache (Valkey) fallbacks',
    ])
      expect(titles.some((t) => t.startsWith(want))).toBe(true);
    for (const panel of dashboard.panels)
      for (const target of panel.targets) {
        const unknown = metricsIn(target.expr).filter((m) => !known.has(m));
        expect([panel.title, unknown]).toEqual([panel.title, []]);
      }
  });

  test('the external Valkey: URL, password, CA and the HMAC key are passed and mounted', () => {
    const pod = only(objects, 'Deployment').spec.template.spec;
    const args: string[] = pod.containers[0].args;
    expect(flagValues(args, '--valkey-url')).toEqual(['rediss://valkey.cache.svc:6380']);
    expect(flagValues(args, '--valkey-hmac-key-file')).toEqual(['/var/run/portcullis/valkey-hmac/hmac.key']);
    expect(flagValues(args, '--valkey-password-file')).toEqual([
      '/var/run/portcullis/valkey-password/password',
    ]);
    expect(flagValues(args, '--valkey-ca-file')).toEqual(['/var/run/portcullis/valkey-ca/ca.crt']);
    expect(flagValues(args, '--drain-delay')).toEqual(['8s']);
    const volumes = Object.fromEntries(pod.volumes.map((v: K8sObject) => [v.name, v]));
    expect(volumes['valkey-hmac'].secret.secretName).toBe('portcullis-valkey-hmac');
    expect(volumes['valkey-password'].secret).toMatchObject({
      secretName: 'portcullis-valkey-auth',
      items: [{ key: 'valkey-password', path: 'password' }],
    });
    expect(volumes['valkey-ca'].secret.secretName).toBe('portcullis-valkey-ca');
    const hmac = only(objects, 'Secret', 'portcullis-valkey-hmac');
    expect(Buffer.from(hmac.data['hmac.key'], 'base64').toString()).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(1);
  });

  test('matchConditions on both webhooks skip UPDATEs that leave spec unchanged', () => {
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      const [w] = only(objects, kind).webhooks;
      expect(w.matchConditions).toEqual([
        {
          name: 'update-changes-spec',
          expression:
            "request.operation != 'UPDATE' || !has(object.spec) || !has(oldObject.spec) || object.spec != oldObject.spec",
        },
      ]);
    }
  });

  test('matchConditions are left out for Kubernetes before 1.28, and when turned off', () => {
    for (const args of [
      ['--kube-version', '1.27.9'],
      ['--set', 'webhook.matchConditions=false'],
    ]) {
      const webhooks = render(h, args).filter((o) => o.kind.endsWith('WebhookConfiguration'));
      expect(webhooks).toHaveLength(2);
      for (const o of webhooks) expect(o.webhooks[0].matchConditions).toBeUndefined();
    }
  });

  test('by default: the metrics port is on, and no monitoring object, dashboard or Valkey flag is rendered', () => {
    const defaults = render(h);
    const kinds = defaults.map((o) => o.kind);
    expect(kinds).not.toContain('ServiceMonitor');
    expect(kinds).not.toContain('PrometheusRule');
    expect(defaults.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    const args: string[] = only(defaults, 'Deployment').spec.template.spec.containers[0].args;
    expect(args.filter((a) => a.startsWith('--valkey'))).toEqual([]);
    expect(flagValues(args, '--metrics-listen')).toEqual(['0.0.0.0:9090']);
    expect(flagValues(args, '--drain-delay')).toEqual(['5s']);
  });

  test('the bundled Valkey: its own Deployment and Service, selected apart from the webhook, with a password', () => {
    const bundled = withSets(h, ['valkey.enabled=true']);
    const webhook = only(bundled, 'Deployment', 'portcullis');
    const valkey = only(bundled, 'Deployment', 'portcullis-valkey');
    const webhookSelector = webhook.spec.selector.matchLabels;
    const valkeyLabels = valkey.spec.template.metadata.labels;
    expect(Object.entries(webhookSelector).every(([k, v]) => valkeyLabels[k] === v)).toBe(false);
    expect(only(bundled, 'Service', 'portcullis-valkey').spec.selector).toEqual(
      valkey.spec.selector.matchLabels,
    );
    expect(valkey.spec.template.spec.containers[0].image).toBe('valkey/valkey:8.0');
    const args: string[] = webhook.spec.template.spec.containers[0].args;
    expect(flagValues(args, '--valkey-url')).toEqual([
      'redis://portcullis-valkey.portcullis-system.svc.cluster.local:6379',
    ]);
    expect(flagValues(args, '--valkey-password-file')).toHaveLength(1);
    expect(flagValues(args, '--valkey-ca-file')).toEqual([]);
    expect(only(bundled, 'Secret', 'portcullis-valkey').data.password).toEqual(expect.any(String));
  });

  test.each([
    [['valkey.enabled=true', 'valkey.external.url=redis://x:6379'], 'choose one Valkey'],
    [['valkey.external.url=redis://x:6379', 'valkey.tls.caSecret=ca'], 'needs a TLS URL'],
    [['valkey.external.url=http://x'], '/valkey/external/url'],
    [['server.drainDelay=20s'], 'terminationGracePeriodSeconds (30) must exceed'],
    [['metrics.enabled=false', 'metrics.serviceMonitor.enabled=true'], 'needs metrics.enabled'],
  ])('refuses %j', (sets, message) => {
    const run = template(
      h,
      sets.flatMap((s) => ['--set', s]),
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
  });
}

if (helm.path === undefined) {
  test.skip(`chart rendering skipped: ${helm.reason}`, () => undefined);
} else {
  describe('operations values', () => observabilityTests(helm.path as string));
}
