// The cluster demo (README's first command, npm run demo): a real kube-apiserver + etcd on loopback, real
// registries, images signed by the real cosign, `portcullis serve` in cluster mode behind the chart's
// webhook configurations, and `kubectl apply` of what teams really apply. Shows what kubectl prints.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { renderExternalChart } from '../test/harness/chart';
import { kubectl, startControlPlane, type ControlPlane } from '../test/harness/control-plane';
import { cosignSign, generateCosignKey } from '../test/harness/cosign';
import { pushRandomImage } from '../test/harness/images';
import { startDistribution, startReferrersRegistry, type RunningRegistry } from '../test/harness/registries';
import { startServe, type RunningServe } from '../test/harness/serve';
import { selfSignedCert } from '../test/harness/tls';
import { REPO_ROOT } from '../test/harness/tools';

const run = promisify(execFile);
const TEAM = 'team-a';

// step prints a heading so the demo's output reads as a story.
function step(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

// show runs kubectl as a user would and prints the command, what it printed and its exit code.
async function show(cp: ControlPlane, args: string[], input?: string): Promise<number> {
  const r = await kubectl(cp, args, { allowFailure: true, ...(input === undefined ? {} : { input }) });
  process.stdout.write(`$ kubectl ${args.join(' ')}${input ? '  <<manifest' : ''}\n`);
  if (r.stdout.trim()) process.stdout.write(r.stdout.trimEnd() + '\n');
  if (r.stderr.trim()) process.stdout.write(r.stderr.trimEnd() + '\n');
  process.stdout.write(`(exit ${r.code})\n`);
  return r.code;
}

// pod renders a one-container Pod.
function pod(name: string, image: string, annotations: Record<string, string> = {}): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${TEAM}\n${ann ? `  annotations:\n${ann}\n` : ''}spec:\n  containers:\n    - name: app\n      image: ${image}\n`;
}

// main runs the whole demo and always stops what it started.
async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-demo-'));
  const registries: RunningRegistry[] = [];
  let cp: ControlPlane | undefined;
  let serve: RunningServe | undefined;
  try {
    step('Starting etcd + kube-apiserver and two registries on loopback');
    cp = await startControlPlane();
    const oci = await startReferrersRegistry();
    const dist = await startDistribution();
    registries.push(oci, dist);
    process.stdout.write(`API server ${cp.server}; OCI registry ${oci.host}; distribution ${dist.host}\n`);

    step('Pushing images and signing some with the real cosign');
    const key = await generateCosignKey();
    const signed = await pushRandomImage(oci.host, 'team/app', '1.0');
    await pushRandomImage(oci.host, 'team/app', 'unsigned');
    const legacy = await pushRandomImage(dist.host, 'team/legacy', '1.0');
    await cosignSign(key, signed.ref, 'v3');
    await cosignSign(key, legacy.ref, 'legacy');
    process.stdout.write(
      `signed:   ${oci.host}/team/app:1.0 (cosign v3 bundle), ${dist.host}/team/legacy:1.0 (legacy .sig)\nunsigned: ${oci.host}/team/app:unsigned\n`,
    );

    step('Installing: CRDs, then the chart (webhooks pointing at a local `portcullis serve`)');
    await show(cp, ['apply', '--server-side', '-f', path.join(REPO_ROOT, 'manifests', 'crds')]);
    await show(cp, ['create', 'namespace', 'portcullis-system']);
    await show(cp, ['create', 'namespace', TEAM]);
    const tls = selfSignedCert(dir, 'webhook');
    serve = await startServe(tls, [
      '--kubeconfig',
      cp.kubeconfig,
      '--insecure-registry',
      oci.host,
      '--insecure-registry',
      dist.host,
      '--log-level',
      'warn',
    ]);
    await show(cp, ['apply', '-f', '-'], await renderExternalChart({ url: serve.url, caPem: tls.cert }));

    step('An SRE applies the policy: everything under team/ must be signed by the release key');
    const policy =
      `apiVersion: portcullis.dev/v1alpha1\nkind: ClusterImagePolicy\nmetadata:\n  name: release-signed\nspec:\n` +
      `  images:\n    - glob: "${oci.host}/team/**"\n    - glob: "${dist.host}/team/**"\n` +
      `  authorities:\n    - name: release-manager\n      cosign:\n        key:\n          data: |\n` +
      key.publicKeyPem.trimEnd().replace(/^/gm, '            ') +
      '\n';
    await show(cp, ['apply', '-f', '-'], policy);
    for (let i = 0; i < 50; i++) {
      const r = await kubectl(
        cp,
        ['get', 'cip', 'release-signed', '-o', 'jsonpath={.status.conditions[0].status}'],
        { allowFailure: true },
      );
      if (r.stdout === 'True') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    await show(cp, ['get', 'clusterimagepolicies']);

    step('A team applies a signed pod');
    await show(cp, ['apply', '-f', '-'], pod('signed', `${oci.host}/team/app:1.0`));
    await show(cp, ['get', 'pod', 'signed', '-n', TEAM, '-o', 'jsonpath={.spec.containers[0].image}{"\\n"}']);
    process.stdout.write('(the mutating webhook pinned the verified tag to its digest)\n');

    step('A signed pod from a registry without the referrers API (legacy .sig)');
    await show(cp, ['apply', '-f', '-'], pod('legacy', `${dist.host}/team/legacy:1.0`));

    step('An unsigned pod');
    await show(cp, ['apply', '-f', '-'], pod('unsigned', `${oci.host}/team/app:unsigned`));

    step('A Deployment whose init container is unsigned');
    await show(
      cp,
      ['apply', '-f', '-'],
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ${TEAM}\nspec:\n  selector: {matchLabels: {app: web}}\n` +
        `  template:\n    metadata: {labels: {app: web}}\n    spec:\n      initContainers:\n        - name: setup\n          image: ${oci.host}/team/app:unsigned\n` +
        `      containers:\n        - name: web\n          image: ${oci.host}/team/app:1.0\n`,
    );

    step('Incident: an SRE breaks glass for an unsigned hotfix image');
    await show(
      cp,
      ['apply', '-f', '-'],
      pod('hotfix', `${oci.host}/team/app:unsigned`, {
        'portcullis.dev/break-glass': 'true',
        'portcullis.dev/break-glass-reason': 'INC-4711 hotfix',
      }),
    );
    await new Promise((res) => setTimeout(res, 1000));
    await show(cp, [
      'get',
      'events',
      '-n',
      TEAM,
      '--field-selector',
      'reason=PortcullisBreakGlass',
      '-o',
      'custom-columns=REASON:.reason,OBJECT:.involvedObject.name,MESSAGE:.message',
    ]);
    const audit = await run('grep', ['-c', 'break-glass', cp.auditLog]).catch(() => ({ stdout: '0' }));
    process.stdout.write(
      `API server audit log: ${audit.stdout.trim()} event(s) carry the break-glass audit annotation\n`,
    );
  } finally {
    await serve?.stop();
    for (const r of registries) await r.stop();
    await cp?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
