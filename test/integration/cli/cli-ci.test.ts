// The CLI as CI pipelines use it, against a real registry and real cosign signatures: --version, the
// versioned JSON report (validated against docs/cli-output.schema.json), verify -f over manifests, progress
// only on a terminal, and hints without break-glass outside a cluster.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { runPortcullis } from '../../harness/cli';
import { cosignSign, generateCosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { REPO_ROOT } from '../../harness/tools';
import { runPortcullisOnTty } from '../../harness/tty';
import { cosignPolicy } from '../../harness/webhook';
import {
  CLI_OUTPUT_API_VERSION,
  type AuthorityReport,
  type CliReport,
  type ResultReport,
} from '../../../src/cli/output/report.types';

const schema = JSON.parse(
  readFileSync(path.join(REPO_ROOT, 'docs', 'cli-output.schema.json'), 'utf8'),
) as object;
const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(schema);

let h: Harness;
let dir: string;
let flags: string[];
let signedRef: string;
let unsignedRef: string;
let keyId: string;

// authorityOf is the first authority of the first policy of a result's first image.
function authorityOf(result: ResultReport | undefined): AuthorityReport | undefined {
  return result?.images[0]?.policies[0]?.authorities[0];
}

// report parses stdout and checks it against the documented JSON Schema.
function report(stdout: string): CliReport {
  const value = JSON.parse(stdout) as CliReport;
  if (!validate(value)) throw new Error(`not valid: ${JSON.stringify(validate.errors, null, 2)}`);
  return value;
}

beforeAll(async () => {
  h = loadHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cli-ci-'));
  const key = await generateCosignKey();
  const signed = await pushRandomImage(h.referrers.host, 'cli-ci/app', 'signed');
  await pushRandomImage(h.referrers.host, 'cli-ci/app', 'unsigned');
  await cosignSign(key, signed.ref, 'v3');
  signedRef = `${h.referrers.host}/cli-ci/app:signed`;
  unsignedRef = `${h.referrers.host}/cli-ci/app:unsigned`;
  await mkdir(path.join(dir, 'policies'));
  await writeFile(
    path.join(dir, 'policies', 'p.yaml'),
    cosignPolicy('ci', [`${h.referrers.host}/cli-ci/**`], key.publicKeyPem),
  );
  flags = ['--policy-dir', path.join(dir, 'policies'), '--insecure-registry', h.referrers.host];
  const ok = report((await runPortcullis(['verify', signedRef, '--output', 'json', ...flags])).stdout);
  const signer = authorityOf(ok.results[0])?.signer;
  keyId = signer?.kind === 'key' ? signer.key : 'missing';
});

test('--version and -V print the package version and exit 0', async () => {
  const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  for (const flag of ['--version', '-V']) {
    const r = await runPortcullis([flag]);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, `${version}\n`, '']);
  }
});

describe('verify --output json', () => {
  test('reports digest, policy and signer on a pass; digest, code and reason on a denial', async () => {
    const missing = `${h.referrers.host}/cli-ci/app:missing`;
    const r = await runPortcullis(['verify', signedRef, unsignedRef, missing, '--output', 'json', ...flags]);
    expect(r.code).toBe(1);
    const out = report(r.stdout);
    expect(out).toMatchObject({ apiVersion: CLI_OUTPUT_API_VERSION, kind: 'VerifyReport', allowed: false });
    const [pass, deny, gone] = out.results;
    expect(pass).toMatchObject({ kind: 'image', image: signedRef, allowed: true });
    expect(pass?.images[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(pass?.images[0]?.policies[0]).toMatchObject({ policy: 'ClusterImagePolicy/ci', passed: true });
    expect(authorityOf(pass)).toMatchObject({
      authority: 'release-manager',
      passed: true,
      signer: { kind: 'key', key: expect.stringMatching(/^sha256:/) },
    });
    expect(deny).toMatchObject({ image: unsignedRef, allowed: false });
    expect(deny?.images[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(authorityOf(deny)).toMatchObject({
      passed: false,
      code: 'VERIFY_NO_SIGNATURES',
      reason: expect.stringContaining('no cosign signature found'),
    });
    expect(gone?.images[0]?.digest).toBeUndefined();
    expect(gone?.images[0]?.error?.code).toMatch(/^REGISTRY_/);
  });

  test('denial hints do not mention break-glass outside a cluster', async () => {
    const r = await runPortcullis(['verify', unsignedRef, ...flags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/hint: sign the image/);
    expect(r.stdout).not.toMatch(/break-glass/i);
  });
});

describe('verify -f', () => {
  test('verifies every image of a folder of manifests (recursively), with image arguments, once per image', async () => {
    const manifests = path.join(dir, 'release');
    await mkdir(path.join(manifests, 'nested'), { recursive: true });
    await writeFile(
      path.join(manifests, 'app.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: team}\nspec:\n  template:\n    spec:\n      initContainers: [{name: i, image: "${signedRef}"}]\n      containers: [{name: a, image: "${signedRef}"}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: svc}\n`,
    );
    await writeFile(
      path.join(manifests, 'nested', 'list.json'),
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'batch/v1',
            kind: 'CronJob',
            metadata: { name: 'nightly' },
            spec: {
              jobTemplate: {
                spec: { template: { spec: { containers: [{ name: 'c', image: unsignedRef }] } } },
              },
            },
          },
        ],
      }),
    );
    await writeFile(path.join(manifests, 'README.md'), 'not a manifest');
    const r = await runPortcullis([
      'verify',
      '-f',
      manifests,
      signedRef,
      '--namespace',
      'ci',
      '--output',
      'json',
      ...flags,
    ]);
    expect(r.code).toBe(1);
    const out = report(r.stdout);
    expect(out.results.map((x) => [x.image, x.namespace, x.allowed])).toEqual([
      [signedRef, 'ci', true],
      [signedRef, 'team', true],
      [unsignedRef, 'ci', false],
    ]);
    // Extraction order, as admission: containers, then initContainers.
    expect(out.results[1]?.sources?.map((s) => s.field)).toEqual([
      'spec.template.spec.containers[0].image',
      'spec.template.spec.initContainers[0].image',
    ]);
    expect(out.results[2]?.sources?.[0]).toMatchObject({
      kind: 'CronJob',
      name: 'nightly',
      file: path.join(manifests, 'nested', 'list.json'),
    });
    expect(out.skipped).toEqual([
      expect.objectContaining({ kind: 'Service', file: path.join(manifests, 'app.yaml') }),
    ]);
    const text = await runPortcullis(['verify', '-f', path.join(manifests, 'app.yaml'), ...flags]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `in ${path.join(manifests, 'app.yaml')}: Deployment team/app spec.template.spec.containers[0].image`,
    );
  });

  test('exits 2 without images or manifests that run images', async () => {
    const empty = path.join(dir, 'empty.yaml');
    await writeFile(empty, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    const r = await runPortcullis(['verify', '-f', empty, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIG_INVALID_FLAG');
  });
});

test('review --output json shares the schema and carries the AdmissionReview answer', async () => {
  const file = path.join(dir, 'review.yaml');
  await writeFile(
    file,
    `apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: team}\nspec:\n  containers: [{name: a, image: "${signedRef}"}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: bad, namespace: team}\nspec:\n  containers: [{name: a, image: "${unsignedRef}"}]\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n`,
  );
  const r = await runPortcullis(['review', '-f', file, '--output', 'json', ...flags]);
  expect(r.code).toBe(1);
  const out = report(r.stdout);
  expect(out).toMatchObject({ kind: 'ReviewReport', allowed: false, skipped: [{ kind: 'ConfigMap' }] });
  const [good, bad] = out.results;
  expect(good).toMatchObject({ kind: 'object', object: { kind: 'Pod', name: 'good' }, allowed: true });
  expect(authorityOf(good)?.signer).toEqual({ kind: 'key', key: keyId });
  expect(authorityOf(bad)?.code).toBe('VERIFY_NO_SIGNATURES');
  expect(bad?.admissionReview).toMatchObject({ kind: 'AdmissionReview', response: { allowed: false } });
  expect(bad?.message).not.toMatch(/break-glass/i);
});

describe('progress', () => {
  test('is shown on stderr when it is a terminal, and cleared; stdout stays the report', async () => {
    const r = await runPortcullisOnTty(['verify', signedRef, unsignedRef, ...flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`[1/2] checking ${signedRef}`);
    expect(r.stderr).toContain(`[2/2] checking ${unsignedRef}`);
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(r.stdout).toMatch(/^ALLOWED /m);
    expect(r.stdout).not.toContain('checking');
  });

  test('is not printed when stderr is not a terminal', async () => {
    const r = await runPortcullis(['verify', signedRef, unsignedRef, ...flags]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
  });
});

test('policy lint prints file:line:col for schema findings and YAML syntax errors', async () => {
  const file = path.join(dir, 'lint.yaml');
  const policy = (name: string, spec: string) =>
    `apiVersion: portcullis.dev/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: ${name}}\nspec:\n${spec}`;
  await writeFile(
    file,
    [
      policy(
        'p',
        '  mode: enforce\n  images: [{glob: "x/**"}]\n  authorities:\n    - name: a\n      cosign: {key: {data: "not a key"}}\n',
      ),
      policy('q', '  mode: enfroce\n'),
      'kind: [unclosed\n',
    ].join('---\n'),
  );
  const r = await runPortcullis(['policy', 'lint', file]);
  expect(r.code).toBe(1);
  const lines = r.stdout.trimEnd().split('\n');
  const line = (at: string, path: string, code: string) =>
    expect.stringMatching(new RegExp(`^${file}:${at}: ${path}: error: .+ \\[${code}\\]$`));
  expect(lines).toContainEqual(
    line('9:22', 'spec\\.authorities\\[0\\]\\.cosign\\.key\\.data', 'POLICY_[A-Z_]+'),
  );
  expect(lines).toContainEqual(line('15:3', 'spec\\.mode', 'POLICY_FIELD_VALUE'));
  expect(lines).toContainEqual(line('18:1', '<document-3>', 'POLICY_YAML_INVALID'));
});
