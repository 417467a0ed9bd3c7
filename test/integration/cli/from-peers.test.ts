// `portcullis policy from-policy-controller` and `from-kyverno` as users run them: a real policy of each project
// (test/fixtures/migration/), with only its key and registry host replaced by the test's, is converted, linted,
// and then `portcullis verify` decides real cosign-signed images as the original policy would: the image signed by
// the policy's key passes, an unsigned one and one signed by another key are denied, and images or namespaces
// the original leaves alone are left to --no-match.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { runPortcullis, type CliRun } from '../../harness/cli';
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { withKey } from '../../harness/round-trip';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'migration');

let h: Harness;
let dir: string;
let release: CosignKey;
const refs: Record<'signed' | 'unsigned' | 'rogue', string> = { signed: '', unsigned: '', rogue: '' };

// convertAndLint converts a fixture text, writes the output as a policy folder and lints it.
async function convertAndLint(
  command: string,
  name: string,
  text: string,
): Promise<{ run: CliRun; policyDir: string }> {
  const input = path.join(dir, `${name}.yaml`);
  await writeFile(input, text);
  const run = await runPortcullis(['policy', command, input]);
  const policyDir = path.join(dir, `${name}-policies`);
  await mkdir(policyDir, { recursive: true });
  await writeFile(path.join(policyDir, 'converted.yaml'), run.stdout);
  const lint = await runPortcullis(['policy', 'lint', path.join(policyDir, 'converted.yaml')]);
  expect(lint.stderr + lint.stdout).not.toMatch(/error/i);
  expect(lint.code).toBe(0);
  return { run, policyDir };
}

beforeAll(async () => {
  h = loadHarness();
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-from-peers-'));
  release = await generateCosignKey();
  const rogue = await generateCosignKey();
  const repo = 'kyverno/demo-app';
  const [signed, , other] = await Promise.all([
    pushRandomImage(h.referrers.host, repo, 'signed'),
    pushRandomImage(h.referrers.host, repo, 'unsigned'),
    pushRandomImage(h.referrers.host, repo, 'rogue'),
  ]);
  await cosignSign(release, signed.ref, 'v3');
  await cosignSign(rogue, other.ref, 'v3');
  refs.signed = `${h.referrers.host}/${repo}:signed`;
  refs.unsigned = `${h.referrers.host}/${repo}:unsigned`;
  refs.rogue = `${h.referrers.host}/${repo}:rogue`;
}, 240_000);

// verify runs `portcullis verify` on one image against a policy folder.
function verify(image: string, policyDir: string, extra: string[] = []): Promise<CliRun> {
  return runPortcullis([
    'verify',
    image,
    '--policy-dir',
    policyDir,
    '--insecure-registry',
    h.referrers.host,
    ...extra,
  ]);
}

describe('policy from-policy-controller round trip (cip-key-no-rekor.yaml)', () => {
  let policyDir: string;
  let labels: string;

  beforeAll(async () => {
    const original = await readFile(
      path.join(FIXTURES, 'policy-controller', 'cip-key-no-rekor.yaml'),
      'utf8',
    );
    const converted = await convertAndLint(
      'from-policy-controller',
      'pc',
      withKey(original, release.publicKeyPem),
    );
    expect(converted.run.code).toBe(0);
    expect(converted.run.stderr).toContain('policy.sigstore.dev/include=true');
    policyDir = converted.policyDir;
    labels = path.join(dir, 'labels.yaml');
    await writeFile(labels, "secure:\n  policy.sigstore.dev/include: 'true'\nplain: {}\n");
  }, 120_000);

  const inSecure = (): string[] => ['--namespace', 'secure', '--namespace-labels', labels];

  it('admits the image signed by the policy key in a labelled namespace (glob **demo**)', async () => {
    const r = await verify(refs.signed, policyDir, inSecure());
    expect(r.stdout).toMatch(/^ALLOWED /m);
    expect(r.code).toBe(0);
  }, 120_000);

  it.each([
    ['unsigned', 'VERIFY_NO_SIGNATURES'],
    ['rogue', 'VERIFY_'],
  ] as const)(
    'denies the %s image in a labelled namespace',
    async (which, code) => {
      const r = await verify(refs[which], policyDir, inSecure());
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(code);
    },
    120_000,
  );

  it('leaves an unlabelled namespace to --no-match, as policy-controller ignores it', async () => {
    const extra = ['--namespace', 'plain', '--namespace-labels', labels];
    expect((await verify(refs.unsigned, policyDir, [...extra, '--no-match', 'allow'])).code).toBe(0);
    const denied = await verify(refs.unsigned, policyDir, extra);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toContain('POLICY_NO_MATCH');
  }, 120_000);
});

describe('policy from-kyverno output', () => {
  it('prints a policy whose key is in a cluster Secret, and writes --report', async () => {
    const report = path.join(dir, 'report.json');
    const file = path.join(FIXTURES, 'kyverno', 'keyed-secret.yaml');
    const r = await runPortcullis(['policy', 'from-kyverno', file, '--report', report]);
    expect(r.stderr).not.toContain('POLICY_SECRET_NOT_FOUND');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('name: testsecret');
    const json = JSON.parse(await readFile(report, 'utf8')) as { from: string; findings: { kind: string }[] };
    expect(json.from).toBe('Kyverno');
    expect(json.findings.map((f) => f.kind)).toEqual(
      expect.arrayContaining(['unmapped', 'semantics', 'note']),
    );
  });

  it('prints nothing on stdout and exits 2 when a field cannot be mapped', async () => {
    const r = await runPortcullis([
      'policy',
      'from-kyverno',
      path.join(FIXTURES, 'kyverno', 'skip-image-reference.yaml'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('POLICY_CONVERT_UNMAPPABLE');
  });
});

describe('policy from-kyverno round trip (keyed-basic.yaml)', () => {
  let policyDir: string;

  beforeAll(async () => {
    const original = await readFile(path.join(FIXTURES, 'kyverno', 'keyed-basic.yaml'), 'utf8');
    const adapted = withKey(original, release.publicKeyPem).replace(
      'ghcr.io/kyverno/test-verify-image:*',
      `${h.referrers.host}/kyverno/demo-app:*`,
    );
    const converted = await convertAndLint('from-kyverno', 'kyverno', adapted);
    expect(converted.run.code).toBe(0);
    expect(converted.run.stdout).toContain(`glob: ${h.referrers.host}/kyverno/demo-app\n`);
    policyDir = converted.policyDir;
  }, 120_000);

  it("admits the image signed by the rule's key", async () => {
    const r = await verify(refs.signed, policyDir);
    expect(r.stdout).toMatch(/^ALLOWED /m);
    expect(r.code).toBe(0);
  }, 120_000);

  it.each(['unsigned', 'rogue'] as const)(
    'denies the %s image',
    async (which) => {
      const r = await verify(refs[which], policyDir);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/VERIFY_/);
    },
    120_000,
  );

  it("leaves an image no rule matches to --no-match: allow keeps Kyverno's behaviour", async () => {
    const elsewhere = `${h.referrers.host}/elsewhere/app:1`;
    expect((await verify(elsewhere, policyDir, ['--no-match', 'allow'])).code).toBe(0);
    expect((await verify(elsewhere, policyDir)).stdout).toContain('POLICY_NO_MATCH');
  }, 120_000);
});
