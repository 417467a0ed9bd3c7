// `portcullis policy from-kyverno` round trips on Kyverno's own conformance policies (test/fixtures/migration/
// kyverno/): each convertible file is converted by the real CLI, and `portcullis verify` then judges images signed
// by the real cosign as Kyverno's documentation says the original decides. keyed-basic.yaml is in
// from-peers.test.ts.
//
// Adapted, and only that (test/fixtures/migration/README.md): the PEM key becomes a key generated here and the
// host ghcr.io the local registry (the repository kyverno/test-verify-image stays). The keyless fixtures name
// GitHub's OIDC issuer and the public Sigstore: the issuer becomes the local GitHub Actions look-alike, whose
// tokens carry the fixture's own workflow (so the certificate subject is the fixture's, unchanged), and the
// converted output gets the local Sigstore's trusted root (withTrustedRoot).
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { cosignSign, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { convertInto, decide, withKey, withTrustedRoot, writePeerInput } from '../../harness/round-trip';
import { attestKeyless, signKeyless, startSigstore, type Sigstore } from '../../harness/sigstore';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'kyverno');
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** The workflow the keyless fixtures name (their `subject`). */
const WORKFLOW = {
  repository: 'vishal-chdhry/artifact-attestation-example',
  workflowPath: '.github/workflows/build-attested-image.yaml',
};
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';

let h: Harness;
let sigstore: Sigstore;
let release: CosignKey;
const keyed: Record<'signed' | 'unsigned' | 'rogue', string> = { signed: '', unsigned: '', rogue: '' };
const keyless: Record<string, string> = {};

beforeAll(async () => {
  h = loadHarness();
  sigstore = await startSigstore();
  release = await generateCosignKey();
  const rogue = await generateCosignKey();
  const host = h.referrers.host;
  const push = (repo: string, tag: string) => pushRandomImage(host, repo, tag);
  const [signed, , other] = await Promise.all([
    push('kyverno/test-verify-image', 'signed'),
    push('kyverno/test-verify-image', 'unsigned'),
    push('kyverno/test-verify-image', 'rogue'),
  ]);
  await cosignSign(release, signed.ref, 'v3');
  await cosignSign(rogue, other.ref, 'v3');
  for (const tag of Object.keys(keyed) as (keyof typeof keyed)[])
    keyed[tag] = `${host}/kyverno/test-verify-image:${tag}`;
  // Keyless: signed and attested by the fixture's workflow, or by another repository's workflow.
  const token = sigstore.githubToken(WORKFLOW);
  const stranger = sigstore.githubToken({ repository: 'someone/else' });
  const provenance = (buildType: string) => ({ buildDefinition: { buildType }, runDetails: {} });
  const steps: [string, (ref: string) => Promise<void>][] = [
    ['signed', (image) => signKeyless(sigstore, { image, token })],
    ['stranger', (image) => signKeyless(sigstore, { image, token: stranger })],
    ['unsigned', async () => undefined],
    ['attested', (image) => attest(image, token, provenance(BUILD_TYPE))],
    ['attested-other-build', (image) => attest(image, token, provenance('https://example.com/other'))],
    ['attested-stranger', (image) => attest(image, stranger, provenance(BUILD_TYPE))],
  ];
  for (const [tag, step] of steps) {
    const image = await push('kyverno/keyless', tag);
    await step(image.ref);
    keyless[tag] = `${host}/kyverno/keyless:${tag}`;
  }
}, 600_000);

afterAll(async () => {
  await sigstore?.stop();
});

// attest adds a keyless SLSA v1 provenance attestation to `image`.
function attest(image: string, token: string, predicate: unknown): Promise<void> {
  return attestKeyless(sigstore, { image, token, predicate, predicateType: SLSA_V1 });
}

// adapt moves a fixture to the local registry, key and issuer; nothing else changes.
function adapt(name: string): string {
  const text = readFileSync(path.join(FIXTURES, name), 'utf8');
  return withKey(text, release.publicKeyPem)
    .replaceAll('ghcr.io/', `${h.referrers.host}/`)
    .replaceAll(GITHUB_ISSUER, sigstore.issuers.github.url);
}

// judge converts an adapted fixture and returns 'allowed'/'denied' for each image (plus any extra policy files).
async function judge(
  name: string,
  images: readonly string[],
  options: { verify?: string[]; files?: Record<string, unknown>; keyless?: boolean } = {},
): Promise<string[]> {
  const converted = await convertInto('from-kyverno', await writePeerInput(name, adapt(name)));
  expect({ code: converted.run.code, stderr: converted.run.stderr }).toEqual({
    code: 0,
    stderr: expect.not.stringContaining('error'),
  });
  if (options.keyless === true) await withTrustedRoot(converted, sigstore.trustedRoot);
  for (const [file, doc] of Object.entries(options.files ?? {}))
    await writeFile(path.join(converted.policyDir, file), stringify(doc));
  const flags = ['--insecure-registry', h.referrers.host, ...(options.verify ?? [])];
  const decisions = await decide(converted.policyDir, images, flags);
  return decisions.map((d) => (d.allowed ? 'allowed' : 'denied'));
}

const KEYED = (): string[] => [keyed.signed, keyed.unsigned, keyed.rogue];

/*
 * Kyverno's semantics, from kyverno.io/docs/writing-policies/verify-images/sigstore/ ("Verifying Image
 * Signatures": an image matching imageReferences must carry a signature by one of the attestor's keys, else the
 * Pod is blocked under failureAction Enforce; "Using a Secret for the public key" for keys.secret), and
 * kyverno.io/docs/writing-policies/match-exclude/ (a rule applies only to Pods in namespaces its
 * namespaceSelector selects).
 */
describe('from-kyverno round trips on key-signed images', () => {
  it('keyed-basic-namespace-selector.yaml: enforced in namespaces labelled signed=true only', async () => {
    const labels = await writePeerInput('labels.yaml', "prod:\n  signed: 'true'\nplain: {}\n");
    const inProd = ['--namespace', 'prod', '--namespace-labels', labels];
    expect(await judge('keyed-basic-namespace-selector.yaml', KEYED(), { verify: inProd })).toEqual([
      'allowed',
      'denied',
      'denied',
    ]);
    // Kyverno does not apply the rule in other namespaces: the images are left to --no-match (allow here).
    const inPlain = ['--namespace', 'plain', '--namespace-labels', labels, '--no-match', 'allow'];
    expect(await judge('keyed-basic-namespace-selector.yaml', [keyed.unsigned], { verify: inPlain })).toEqual(
      ['allowed'],
    );
  }, 180_000);

  it('keyed-secret.yaml: the key is read from the Secret testsecret (cosign.pub)', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'testsecret', namespace: 'test-verify-images' },
      stringData: { 'cosign.pub': release.publicKeyPem },
    };
    expect(await judge('keyed-secret.yaml', KEYED(), { files: { 'secret.yaml': secret } })).toEqual([
      'allowed',
      'denied',
      'denied',
    ]);
  }, 180_000);

  it('verify-image-background-basic.yaml: failureAction Audit admits every image (violations are only reported)', async () => {
    expect(await judge('verify-image-background-basic.yaml', KEYED())).toEqual([
      'allowed',
      'allowed',
      'allowed',
    ]);
  }, 180_000);
});

/*
 * Kyverno's keyless semantics (same page, "Keyless signing and verification"): the signing certificate must have
 * been issued to `subject` by `issuer`, and be logged in Rekor; attestations ("Verifying Image Attestations") must
 * be signed by the attestor and of `type`, and every condition must hold over the predicate.
 */
describe('from-kyverno round trips on keyless (local Sigstore) signatures and attestations', () => {
  it('sigstore-image-verification-test.yaml: the fixture workflow signed, on every image ("*")', async () => {
    const images = ['signed', 'stranger', 'unsigned'].map((t) => keyless[t] ?? '');
    expect(await judge('sigstore-image-verification-test.yaml', images, { keyless: true })).toEqual([
      'allowed',
      'denied',
      'denied',
    ]);
  }, 180_000);

  it('sigstore-attestation-verification-test.yaml: SLSA provenance with the GitHub workflow build type', async () => {
    const tags = ['attested', 'attested-other-build', 'attested-stranger', 'signed', 'unsigned'];
    const got = await judge(
      'sigstore-attestation-verification-test.yaml',
      tags.map((t) => keyless[t] ?? ''),
      { keyless: true },
    );
    expect(Object.fromEntries(tags.map((t, i) => [t, got[i]]))).toEqual({
      attested: 'allowed',
      'attested-other-build': 'denied', // the condition on buildDefinition.buildType fails
      'attested-stranger': 'denied', // attested by another workflow
      signed: 'denied', // a signature is not an attestation
      unsigned: 'denied',
    });
  }, 180_000);
});
