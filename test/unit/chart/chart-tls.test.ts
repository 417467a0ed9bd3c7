// The chart's TLS modes (self-managed, cert-manager, existing Secret, out-of-cluster URL), the value
// combinations it refuses, its generated CRDs, and the plain manifests rendered from it.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrds } from '../../../src/policy/crd/manifest';
import { loadCrdDocs } from '../../../tools/crd-descriptions';
import { CHART, NAMESPACE, ROOT, findHelm, only, render, template, type K8sObject } from './helm';

const helm = findHelm();
const SERVICE_HOST = `portcullis.${NAMESPACE}.svc`;

// fromB64 decodes a Secret value or caBundle.
function fromB64(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

// caBundles returns the caBundle of every webhook of both configurations.
function caBundles(objects: readonly K8sObject[]): (string | undefined)[] {
  return ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'].flatMap((kind) =>
    only(objects, kind).webhooks.map((w: { clientConfig: { caBundle?: string } }) => w.clientConfig.caBundle),
  );
}

test('charts/portcullis/crds holds exactly the generated CRDs (run `npm run gen:crds`)', () => {
  for (const f of renderCrds(loadCrdDocs())) {
    expect(readFileSync(join(CHART, 'crds', f.fileName), 'utf8')).toBe(f.text);
  }
});

// withHelm registers the tests that need the real helm binary.
function withHelm(h: string): void {
  describe('self-managed TLS (the default)', () => {
    const objects = render(h);
    const secret = only(objects, 'Secret', 'portcullis-tls');

    test('one generated CA is in the Secret and in both webhooks’ caBundle', () => {
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
      expect(caBundles(objects)).toEqual([secret.data['ca.crt'], secret.data['ca.crt']]);
    });

    test('the serving certificate is signed by that CA, names the Service and expires when annotated', () => {
      const ca = new X509Certificate(fromB64(secret.data['ca.crt']));
      const serving = new X509Certificate(fromB64(secret.data['tls.crt']));
      expect(ca.ca).toBe(true);
      expect(serving.verify(ca.publicKey)).toBe(true);
      expect(serving.checkHost(SERVICE_HOST)).toBe(SERVICE_HOST);
      const notAfter = Number(secret.metadata.annotations['portcullis.dev/serving-cert-not-after']);
      expect(Math.abs(notAfter * 1000 - Date.parse(serving.validTo))).toBeLessThan(5 * 60_000);
    });

    test('RBAC lets the webhook update only its own Secret and patch only its own configurations', () => {
      expect(only(objects, 'Role', 'portcullis-tls').rules).toEqual([
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['portcullis-tls'],
          verbs: ['get', 'update'],
        },
      ]);
      const configs = only(objects, 'ClusterRole', 'portcullis-webhook-ca').rules;
      expect(configs.map((r: { resourceNames: string[] }) => r.resourceNames)).toEqual([
        ['portcullis'],
        ['portcullis'],
      ]);
    });

    test('the pods mount no Secret: the webhook rotates it and writes the serving pair itself', () => {
      const pod = only(objects, 'Deployment').spec.template.spec;
      const volume = pod.volumes.find((v: { name: string }) => v.name === 'tls');
      expect(volume).toEqual({ name: 'tls', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
      const args: string[] = pod.containers[0].args;
      const flag = (name: string): string[] =>
        args.flatMap((a, i) => (a === name ? [args[i + 1] as string] : []));
      expect(flag('--tls-self-managed-secret')).toEqual([`${NAMESPACE}/portcullis-tls`]);
      expect(flag('--tls-validating-webhook')).toEqual(['portcullis']);
      expect(flag('--tls-mutating-webhook')).toEqual(['portcullis']);
      expect(flag('--tls-dns-name')).toContain(SERVICE_HOST);
      expect(flag('--tls-ca-overlap')).toEqual(['24h']);
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    test('without the mutating webhook, only the validating configuration is rotated', () => {
      const args: string[] = only(render(h, ['--set', 'webhook.mutating.enabled=false']), 'Deployment').spec
        .template.spec.containers[0].args;
      expect(args).toContain('--tls-validating-webhook');
      expect(args).not.toContain('--tls-mutating-webhook');
    });
  });

  test('cert-manager: a CA chain, a serving Certificate for the Service, and cainjector annotations', () => {
    const objects = render(h, ['--set', 'certManager.enabled=true']);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(caBundles(objects)).toEqual([undefined, undefined]);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      expect(only(objects, kind).metadata.annotations).toEqual({
        'cert-manager.io/inject-ca-from': `${NAMESPACE}/portcullis-serving`,
      });
    }
    expect(only(objects, 'Certificate', 'portcullis-ca').spec).toMatchObject({
      isCA: true,
      privateKey: { rotationPolicy: 'Never' },
    });
    const serving = only(objects, 'Certificate', 'portcullis-serving').spec;
    expect(serving).toMatchObject({
      secretName: 'portcullis-tls',
      issuerRef: { kind: 'Issuer', name: 'portcullis-ca' },
    });
    expect(serving.dnsNames).toContain(SERVICE_HOST);
    expect(objects.map((o) => o.kind)).not.toContain('Role');
  });

  test('existing Secret: the user’s caBundle, no generated Secret, no TLS write permissions', () => {
    const objects = render(h, ['--set', 'tls.existingSecret=mine', '--set', 'tls.caBundle=Q0E=']);
    expect(caBundles(objects)).toEqual(['Q0E=', 'Q0E=']);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).not.toEqual(
      expect.arrayContaining(['Secret/portcullis-tls', 'Role/portcullis-tls']),
    );
  });

  test('timeoutSeconds, replicas and extra exclusions come from values', () => {
    const objects = render(h, [
      '--set',
      'webhook.timeoutSeconds=25',
      '--set',
      'replicaCount=5',
      '--set',
      'webhook.excludeNamespaces={kube-system,flux-system}',
    ]);
    expect(only(objects, 'Deployment').spec.replicas).toBe(5);
    const [webhook] = only(objects, 'ValidatingWebhookConfiguration').webhooks;
    expect(webhook.timeoutSeconds).toBe(25);
    expect(webhook.namespaceSelector.matchExpressions[0].values).toEqual([
      NAMESPACE,
      'kube-system',
      'flux-system',
    ]);
  });

  test.each([
    [['webhook.url=https://127.0.0.1:8443'], 'webhook.url needs webhook.caBundle'],
    [
      ['webhook.url=https://x:1', 'webhook.caBundle=QQ==', 'certManager.enabled=true'],
      'unset certManager.enabled',
    ],
    [['certManager.enabled=true', 'tls.existingSecret=s', 'tls.caBundle=QQ=='], 'choose one TLS mode'],
    [['tls.existingSecret=s'], 'tls.existingSecret needs tls.caBundle'],
    [['webhook.timeoutSeconds=31'], "at '/webhook/timeoutSeconds'"],
    [['webhook.url=http://127.0.0.1:8443', 'webhook.caBundle=QQ=='], "at '/webhook/url'"],
    [['server.noMatch=maybe'], "at '/server/noMatch'"],
    [['replicas=3'], "additional properties 'replicas' not allowed"],
  ])('refuses %j: %s', (sets, message) => {
    const run = template(
      h,
      sets.flatMap((s) => ['--set', s]),
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(message);
  });

  test('manifests/portcullis.yaml is what hack/render-manifests.sh renders from the chart', () => {
    const run = spawnSync('bash', ['hack/render-manifests.sh', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, HELM: h },
      timeout: 60_000,
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
}

if (helm.path === undefined) {
  test.skip(`chart TLS rendering skipped: ${helm.reason}`, () => undefined);
} else {
  withHelm(helm.path);
}
