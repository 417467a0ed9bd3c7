// The CLI demo (npm run demo:cli): two real registries, images signed by the real cosign (v3 bundle and legacy .sig),
// a ClusterImagePolicy, and `portcullis review` judging a few manifests exactly as the webhook would.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { pushRandomImage, retag } from '../test/harness/images';
import { startDistribution, startReferrersRegistry, type RunningRegistry } from '../test/harness/registries';
import { tool } from '../test/harness/tools';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');
const PASSWORD = 'portcullis-demo';

// step prints a heading so the demo's output reads as a story.
function step(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

// cosign signs `ref` with the demo key, v3 (bundle referrer) or v2 (legacy .sig), offline (no Rekor).
async function sign(binary: 'cosign' | 'cosign2', key: string, ref: string): Promise<void> {
  const common = ['sign', '--key', key, '--tlog-upload=false', '--allow-insecure-registry', '-y'];
  const v3 = binary === 'cosign' ? ['--use-signing-config=false', '--allow-http-registry'] : [];
  await run(tool(binary), [...common, ...v3, ref], {
    env: { ...process.env, COSIGN_PASSWORD: PASSWORD },
    timeout: 60_000,
  });
}

// review runs the real CLI on one manifest and shows what it printed and its exit code.
async function review(title: string, manifest: string, dir: string, flags: string[]): Promise<void> {
  step(title);
  const file = path.join(dir, `${title.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.yaml`);
  await writeFile(file, manifest);
  process.stdout.write(manifest.replace(/^/gm, '  | '));
  const args = [path.join(ROOT, 'bin', 'portcullis.js'), 'review', '-f', file, ...flags];
  try {
    const { stdout } = await run(process.execPath, args, { timeout: 60_000 });
    process.stdout.write(`$ portcullis review -f ${path.basename(file)}  → exit 0\n${stdout}`);
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    process.stdout.write(
      `$ portcullis review -f ${path.basename(file)}  → exit ${e.code}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
    );
  }
}

// pod renders a one-container Pod manifest.
function pod(name: string, image: string, annotations: Record<string, string> = {}): string {
  const ann = Object.entries(annotations)
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('');
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: team-a\n${ann ? `  annotations:\n${ann}` : ''}spec:\n  containers:\n    - name: app\n      image: ${image}\n`;
}

// main runs the whole demo and always stops the registries.
async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-demo-'));
  const registries: RunningRegistry[] = [];
  try {
    step('Starting two real registries on loopback');
    const oci = await startReferrersRegistry();
    const dist = await startDistribution();
    registries.push(oci, dist);
    process.stdout.write(
      `referrers-capable OCI registry: ${oci.host}\ndistribution (no referrers API): ${dist.host}\n`,
    );

    step('Creating a cosign key pair and pushing images');
    await run(tool('cosign'), ['generate-key-pair', '--output-key-prefix', path.join(dir, 'release')], {
      env: { ...process.env, COSIGN_PASSWORD: PASSWORD },
    });
    const key = path.join(dir, 'release.key');
    const signed = await pushRandomImage(oci.host, 'team/app', '1.0');
    const unsigned = await pushRandomImage(oci.host, 'team/app', 'unsigned');
    const legacy = await pushRandomImage(dist.host, 'team/legacy', '1.0');
    const moved = await pushRandomImage(oci.host, 'team/app', 'moved');
    await sign('cosign', key, signed.ref);
    await sign('cosign2', key, legacy.ref);
    await sign('cosign', key, moved.ref);
    const intruder = await pushRandomImage(oci.host, 'team/app', 'intruder');
    await retag(oci.host, 'team/app', intruder.digest, 'moved');
    process.stdout.write(
      `${oci.host}/team/app:1.0        signed (cosign v3 bundle, OCI referrer)\n` +
        `${oci.host}/team/app:unsigned   not signed (${unsigned.digest.slice(0, 19)}…)\n` +
        `${dist.host}/team/legacy:1.0    signed (cosign v2 legacy .sig tag)\n` +
        `${oci.host}/team/app:moved      signed, then the tag was moved to an unsigned image\n`,
    );

    step('The policy: everything under team/ must be signed by the release key');
    const pub = await readFile(path.join(dir, 'release.pub'), 'utf8');
    const policyDir = path.join(dir, 'policies');
    await run('mkdir', ['-p', policyDir]);
    const policy =
      `apiVersion: portcullis.dev/v1alpha1\nkind: ClusterImagePolicy\nmetadata:\n  name: release-signed\nspec:\n` +
      `  images:\n    - glob: "${oci.host}/team/**"\n    - glob: "${dist.host}/team/**"\n` +
      `  authorities:\n    - name: release-manager\n      cosign:\n        key:\n          data: |\n` +
      pub.trimEnd().replace(/^/gm, '            ') +
      '\n';
    await writeFile(path.join(policyDir, 'release.yaml'), policy);
    process.stdout.write(policy.replace(/^/gm, '  | '));
    const flags = [
      '--policy-dir',
      policyDir,
      '--insecure-registry',
      oci.host,
      '--insecure-registry',
      dist.host,
    ];

    await review('Signed pod (cosign v3 bundle)', pod('signed', `${oci.host}/team/app:1.0`), dir, flags);
    await review(
      'Signed pod (legacy .sig on distribution)',
      pod('legacy', `${dist.host}/team/legacy:1.0`),
      dir,
      flags,
    );
    await review('Unsigned pod', pod('unsigned', `${oci.host}/team/app:unsigned`), dir, flags);
    await review(
      'Tag moved to an unsigned image after signing',
      pod('moved', `${oci.host}/team/app:moved`),
      dir,
      flags,
    );
    await review(
      'Deployment with an unsigned init container',
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: team-a\nspec:\n  selector: {matchLabels: {app: web}}\n` +
        `  template:\n    metadata: {labels: {app: web}}\n    spec:\n      initContainers:\n        - name: setup\n          image: ${oci.host}/team/app:unsigned\n` +
        `      containers:\n        - name: web\n          image: ${oci.host}/team/app:1.0\n`,
      dir,
      flags,
    );
    await review(
      'Break-glass pod (unsigned, annotated during an incident)',
      pod('hotfix', `${oci.host}/team/app:unsigned`, {
        'portcullis.dev/break-glass': 'true',
        'portcullis.dev/break-glass-reason': 'INC-4711 hotfix',
      }),
      dir,
      flags,
    );
    await review(
      'Image no policy governs (--no-match deny; no registry contacted)',
      pod('other', 'nginx:1.27'),
      dir,
      flags,
    );
  } finally {
    for (const r of registries) await r.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
