// The optional NetworkPolicy (networkPolicy.*): ingress to the webhook port only from the configured peers, the
// metrics port separately, egress only to DNS, the registries, the API server and the shared cache.
import { join } from 'node:path';
import { CHART, findHelm, only, render, runHelm, type K8sObject } from './helm';

const helm = findHelm();

const EVERY_ADDRESS = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
const KUBE_DNS = [
  {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  },
];
const DNS_RULE = {
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
  to: KUBE_DNS,
};

// tcp lists TCP ports as NetworkPolicy ports.
function tcp(...ports: number[]): { protocol: string; port: number }[] {
  return ports.map((port) => ({ protocol: 'TCP', port }));
}

// webhookPolicy renders with networkPolicy.enabled and the extra arguments, and returns the webhook pods' policy.
function webhookPolicy(h: string, args: readonly string[] = []): { np: K8sObject; objects: K8sObject[] } {
  const objects = render(h, ['--set', 'networkPolicy.enabled=true', ...args]);
  return { np: only(objects, 'NetworkPolicy', 'portcullis'), objects };
}

// networkPolicyTests registers the tests that need the real helm binary.
function networkPolicyTests(h: string): void {
  test('off by default', () => {
    expect(render(h).filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test('defaults: webhook port from any address, metrics from any pod, egress to kube-dns, 443 and the API server', () => {
    const { np, objects } = webhookPolicy(h);
    expect(np.spec.podSelector).toEqual(only(objects, 'Deployment').spec.selector);
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.ingress).toEqual([
      { ports: tcp(8443), from: EVERY_ADDRESS },
      { ports: tcp(9090), from: [{ namespaceSelector: {} }] },
    ]);
    expect(np.spec.egress).toEqual([
      DNS_RULE,
      { to: EVERY_ADDRESS, ports: tcp(443) },
      { to: EVERY_ADDRESS, ports: tcp(443, 6443) },
    ]);
  });

  test('ports follow server.port and metrics.port; no metrics rule without metrics', () => {
    const moved = webhookPolicy(h, ['--set', 'server.port=9443', '--set', 'metrics.port=9100']).np;
    expect(moved.spec.ingress.map((r: K8sObject) => r.ports)).toEqual([tcp(9443), tcp(9100)]);
    const noMetrics = webhookPolicy(h, ['--set', 'metrics.enabled=false']).np;
    expect(noMetrics.spec.ingress).toEqual([{ ports: tcp(8443), from: EVERY_ADDRESS }]);
  });

  test('peers, CIDRs and ports come from values; an empty cidrs list renders no rule (never an open one)', () => {
    const { np } = webhookPolicy(h, [
      '--set-json',
      'networkPolicy.ingress.from=[{"ipBlock":{"cidr":"10.0.0.0/28"}}]',
      '--set-json',
      'networkPolicy.ingress.metricsFrom=[]',
      '--set-json',
      'networkPolicy.egress.registries={"cidrs":[],"ports":[443]}',
      '--set-json',
      'networkPolicy.egress.apiServer={"cidrs":["192.0.2.10/32"],"ports":[6443]}',
      '--set-json',
      'networkPolicy.egress.extra=[{"to":[{"podSelector":{"matchLabels":{"app":"registry"}}}],"ports":[{"port":5000}]}]',
    ]);
    expect(np.spec.ingress).toEqual([
      { ports: tcp(8443), from: [{ ipBlock: { cidr: '10.0.0.0/28' } }] },
      { ports: tcp(9090) },
    ]);
    expect(np.spec.egress).toEqual([
      DNS_RULE,
      { to: [{ ipBlock: { cidr: '192.0.2.10/32' } }], ports: tcp(6443) },
      { to: [{ podSelector: { matchLabels: { app: 'registry' } } }], ports: [{ port: 5000 }] },
    ]);
  });

  test('bundled Valkey: egress to its pods on 6379, and its own policy admits only the webhook pods', () => {
    const { np, objects } = webhookPolicy(h, ['--set', 'valkey.enabled=true']);
    const valkey = only(objects, 'Deployment', 'portcullis-valkey');
    const webhook = only(objects, 'Deployment', 'portcullis');
    expect(np.spec.egress).toContainEqual({
      to: [{ podSelector: valkey.spec.selector }],
      ports: tcp(6379),
    });
    const valkeyPolicy = only(objects, 'NetworkPolicy', 'portcullis-valkey');
    expect(valkeyPolicy.spec).toEqual({
      podSelector: valkey.spec.selector,
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: webhook.spec.selector }], ports: tcp(6379) }],
    });
  });

  test.each([
    ['rediss://valkey.cache.svc:6380', 6380],
    ['redis://valkey.cache.svc', 6379],
    ['redis://[fd00::1]:6390/0', 6390],
  ])('external Valkey %s: egress to networkPolicy.egress.valkey.cidrs on port %d', (url, port) => {
    const { np, objects } = webhookPolicy(h, [
      '--set',
      `valkey.external.url=${url}`,
      '--set-json',
      'networkPolicy.egress.valkey.cidrs=["10.96.0.0/12"]',
    ]);
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '10.96.0.0/12' } }], ports: tcp(port) });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(1);
  });

  test('ci/networkpolicy-values.yaml: narrowed peers, the extra rule last, the bundled Valkey', () => {
    const objects = render(h, ['-f', join(CHART, 'ci', 'networkpolicy-values.yaml')]);
    const np = only(objects, 'NetworkPolicy', 'portcullis');
    expect(np.spec.ingress[0]).toEqual({ ports: tcp(8443), from: [{ ipBlock: { cidr: '172.18.0.0/16' } }] });
    expect(np.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '172.18.0.0/16' } }], ports: tcp(6443) });
    expect(np.spec.egress.at(-1)).toMatchObject({ ports: tcp(5000) });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(2);
  });

  test('out-of-cluster mode (webhook.url) has no pods to select: no NetworkPolicy', () => {
    const objects = render(h, [
      '-f',
      join(CHART, 'ci', 'external-url-values.yaml'),
      '--set',
      'networkPolicy.enabled=true',
    ]);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });

  test.each([
    [
      'networkPolicy.ingress.from=[{"ipBlock":{"cidr":"everywhere"}}]',
      '/networkPolicy/ingress/from/0/ipBlock/cidr',
    ],
    ['networkPolicy.ingress.from=[{"ipBlok":{"cidr":"10.0.0.0/8"}}]', '/networkPolicy/ingress/from/0'],
    [
      'networkPolicy.egress.registries={"cidrs":["0.0.0.0/0"],"ports":[0]}',
      '/networkPolicy/egress/registries/ports/0',
    ],
    ['networkPolicy.egress.dns={"ports":[]}', '/networkPolicy/egress/dns/ports'],
  ])('values.schema.json rejects --set-json %s', (set, field) => {
    const run = runHelm(h, ['template', 'portcullis', CHART, '--set-json', set]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(field);
  });
}

if (helm.path === undefined) test.skip(`chart rendering skipped: ${helm.reason}`, () => undefined);
else networkPolicyTests(helm.path);
