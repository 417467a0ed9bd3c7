// The real CLI as users run it (bin/portcullis.js), against real registries and real cosign signatures:
// verify and review print verdicts and exit 0 (allowed), 1 (denied) or 2 (usage/configuration error).
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis } from '../../harness/cli';
import { cosignSign, generateCosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { cosignPolicy } from '../../harness/webhook';

const portcullis = runPortcullis;

let h: Harness;
let dir: string;
let policyDir: string;
let signedRef: string;
let unsignedRef: string;
let registryFlags: string[];

beforeAll(async () => {
  h = loadHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cli-'));
  policyDir = path.join(dir, 'policies');
  const key = await generateCosignKey();
  const signed = await pushRandomImage(h.referrers.host, 'cli/app', 'signed');
  await pushRandomImage(h.referrers.host, 'cli/app', 'unsigned');
  await cosignSign(key, signed.ref, 'v3');
  signedRef = `${h.referrers.host}/cli/app:signed`;
  unsignedRef = `${h.referrers.host}/cli/app:unsigned`;
  await mkdir(policyDir, { recursive: true });
  await writeFile(
    path.join(policyDir, 'cli.yaml'),
    cosignPolicy('cli', [`${h.referrers.host}/cli/**`], key.publicKeyPem),
  );
  registryFlags = ['--policy-dir', policyDir, '--insecure-registry', h.referrers.host];
});

describe('portcullis verify', () => {
  it('exits 0 and prints ALLOWED with the digest for a signed image', async () => {
    const r = await portcullis(['verify', signedRef, ...registryFlags]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`^ALLOWED ${signedRef.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} sha256:[0-9a-f]{64}`, 'm'),
    );
  });

  it('exits 1 and explains the denial of an unsigned image', async () => {
    const r = await portcullis(['verify', unsignedRef, ...registryFlags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('DENIED');
    expect(r.stdout).toContain('VERIFY_NO_SIGNATURES');
  });

  it('exits 1 when any of several images is denied, and prints JSON on request', async () => {
    const r = await portcullis(['verify', signedRef, unsignedRef, '--output', 'json', ...registryFlags]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      results: { image: string; allowed: boolean; images: { digest?: string }[] }[];
    };
    expect(out.results.map((i) => [i.image, i.allowed])).toEqual([
      [signedRef, true],
      [unsignedRef, false],
    ]);
    expect(out.results[0]?.images[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    [['verify', 'nginx'], 'policy-dir'],
    [['verify', 'nginx', '--policy-dir', '/nonexistent/portcullis'], 'CONFIG_POLICY_DIR_UNREADABLE'],
    [['verify', 'nginx', '--policy-dir', '.', '--no-match', 'maybe'], 'maybe'],
    [['verify', 'nginx', '--policy-dir', '.', '--insecure-registry', 'http://x/y'], 'CONFIG_INVALID_FLAG'],
    [['serve', '--plain-http', '--listen', '0.0.0.0:0', '--policy-dir', '.'], 'loopback'],
    [['frobnicate'], 'unknown command'],
  ])('exits 2 on a usage or configuration error: %j', async (args, message) => {
    const r = await portcullis(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('portcullis review', () => {
  it('judges every object of a multi-document manifest and exits 1 when one is denied', async () => {
    const file = path.join(dir, 'multi.yaml');
    await writeFile(
      file,
      [
        `apiVersion: v1\nkind: Pod\nmetadata: {name: good, namespace: team}\nspec:\n  containers: [{name: a, image: "${signedRef}"}]`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad, namespace: team}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: "${unsignedRef}"}]`,
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {a: b}`,
      ].join('\n---\n'),
    );
    const r = await portcullis(['review', '-f', file, ...registryFlags]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ALLOWED Pod team\/good$/m);
    expect(r.stdout).toMatch(/^DENIED +Deployment team\/bad$/m);
    expect(r.stdout).toContain('spec.template.spec.containers[0].image');
    expect(r.stdout).toMatch(/^SKIPPED ConfigMap/m);
  });

  it('answers an AdmissionReview with the AdmissionReview the webhook would send, exit 0 when allowed', async () => {
    const file = path.join(dir, 'review.json');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'team' },
      spec: { containers: [{ name: 'a', image: signedRef }] },
    };
    await writeFile(
      file,
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: 'cli-uid-1',
          kind: { group: '', version: 'v1', kind: 'Pod' },
          resource: { group: '', version: 'v1', resource: 'pods' },
          namespace: 'team',
          operation: 'CREATE',
          userInfo: { username: 'bob', groups: [] },
          object: pod,
        },
      }),
    );
    const r = await portcullis(['review', '-f', file, '--output', 'json', ...registryFlags]);
    expect(r.code).toBe(0);
    const [answer] = (
      JSON.parse(r.stdout) as {
        results: { admissionReview: { response: { uid: string; allowed: boolean } } }[];
      }
    ).results.map((x) => x.admissionReview);
    expect(answer).toMatchObject({ kind: 'AdmissionReview', response: { uid: 'cli-uid-1', allowed: true } });
  });

  it('exits 2 on a file that is not YAML', async () => {
    const file = path.join(dir, 'broken.yaml');
    await writeFile(file, 'a: [unclosed');
    const r = await portcullis(['review', '-f', file, ...registryFlags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CONFIG_FILE_UNREADABLE');
  });
});

describe('portcullis policy lint', () => {
  it('exits 0 for a valid policy', async () => {
    const r = await portcullis(['policy', 'lint', path.join(policyDir, 'cli.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok');
  });

  it.each([
    ['a typo in mode', 'mode: enfroce', 'data: "not a key"', 'spec.mode'],
    ['a broken key', 'mode: enforce', 'data: "not a key"', 'spec.authorities[0].cosign.key'],
  ])('exits 1 and points at the field for %s', async (_name, mode, key, field) => {
    const file = path.join(dir, `bad-${field}.yaml`);
    await writeFile(
      file,
      `apiVersion: portcullis.dev/v1alpha1\nkind: ClusterImagePolicy\nmetadata: {name: bad}\nspec:\n  ${mode}\n  images: [{glob: "x/**"}]\n  authorities:\n    - name: a\n      cosign: {key: {${key}}}\n`,
    );
    const r = await portcullis(['policy', 'lint', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(field);
  });
});
