// `portcullis policy from-policy-controller` round trips on sigstore policy-controller's own policies
// (test/fixtures/migration/policy-controller/): each convertible file is converted by the real CLI, and
// `portcullis verify` judges images signed or attested by the real cosign as policy-controller's documentation
// says the original decides. cip-key-no-rekor.yaml is in from-peers.test.ts.
//
// Adapted, and only that (test/fixtures/migration/README.md): the PEM key becomes a key generated here. The
// keyless fixtures name GitHub's OIDC issuer and the public Sigstore: the issuer becomes the local GitHub Actions
// look-alike, whose tokens carry the fixture's own workflow (so the subject is unchanged), and the converted output
// gets the local Sigstore's trusted root (withTrustedRoot). Globs (`**`) need no change.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { cosignAttest, generateCosignKey, type CosignKey } from '../../harness/cosign';
import { loadHarness, type Harness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import { convertInto, decide, withKey, withTrustedRoot, writePeerInput } from '../../harness/round-trip';
import { attestKeyless, signKeyless, startSigstore, type Sigstore } from '../../harness/sigstore';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'migration', 'policy-controller');
const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
/** The workflow the keyless fixtures name. */
const WORKFLOW = {
  repository: 'sigstore/policy-controller',
  workflowPath: '.github/workflows/policy-tester-examples.yml',
};
/** A minimal SPDX document, the predicate of cosign's `--type spdxjson`. */
const SPDX = { spdxVersion: 'SPDX-2.3', SPDXID: 'SPDXRef-DOCUMENT', name: 'demo', packages: [] };

let h: Harness;
let sigstore: Sigstore;
let release: CosignKey;
let labels: string;
const images: Record<string, string> = {};

beforeAll(async () => {
  h = loadHarness();
  sigstore = await startSigstore();
  release = await generateCosignKey();
  const rogue = await generateCosignKey();
  labels = await writePeerInput('labels.yaml', "secure:\n  policy.sigstore.dev/include: 'true'\nplain: {}\n");
  const token = sigstore.githubToken(WORKFLOW);
  const stranger = sigstore.githubToken({ repository: 'someone/else' });
  const sbom = (image: string, t: string) =>
    attestKeyless(sigstore, { image, token: t, predicate: SPDX, predicateType: 'spdxjson' });
  const steps: [string, (ref: string) => Promise<void>][] = [
    ['signed', (image) => signKeyless(sigstore, { image, token })],
    ['stranger', (image) => signKeyless(sigstore, { image, token: stranger })],
    ['unsigned', async () => undefined],
    ['sbom', (image) => sbom(image, token)],
    ['sbom-stranger', (image) => sbom(image, stranger)],
    ['key-sbom', (image) => cosignAttest(release, image, 'spdxjson', SPDX)],
    ['key-sbom-rogue', (image) => cosignAttest(rogue, image, 'spdxjson', SPDX)],
  ];
  for (const [tag, step] of steps) {
    const image = await pushRandomImage(h.referrers.host, 'pc/demo', tag);
    await step(image.ref);
    images[tag] = `${h.referrers.host}/pc/demo:${tag}`;
  }
}, 600_000);

afterAll(async () => {
  await sigstore?.stop();
});

// judge converts an adapted fixture and returns each image's decision in namespace `ns` (default: labelled).
async function judge(name: string, tags: readonly string[], ns = 'secure'): Promise<Record<string, string>> {
  const text = withKey(readFileSync(path.join(FIXTURES, name), 'utf8'), release.publicKeyPem).replaceAll(
    GITHUB_ISSUER,
    sigstore.issuers.github.url,
  );
  const converted = await convertInto('from-policy-controller', await writePeerInput(name, text));
  expect(converted.run.code).toBe(0);
  await withTrustedRoot(converted, sigstore.trustedRoot);
  const flags = ['--insecure-registry', h.referrers.host, '--namespace', ns, '--namespace-labels', labels];
  const decisions = await decide(
    converted.policyDir,
    tags.map((t) => images[t] ?? ''),
    flags,
  );
  return Object.fromEntries(tags.map((t, i) => [t, decisions[i]?.allowed ? 'allowed' : 'denied']));
}

/*
 * policy-controller's semantics (docs.sigstore.dev/policy-controller/overview/, "Configuring keyless
 * authorities": a signature whose Fulcio certificate matches one of `identities` (issuer and subject), logged in
 * the Rekor of `ctlog`; "Configuring policy that validates attestations": the named attestation type must be
 * signed by the authority; an image must pass every matching ClusterImagePolicy, and only namespaces labelled
 * policy.sigstore.dev/include=true are checked).
 */
describe('from-policy-controller round trips', () => {
  it('signed-by-github-actions.yaml: signed by the fixture workflow', async () => {
    expect(await judge('signed-by-github-actions.yaml', ['signed', 'stranger', 'unsigned'])).toEqual({
      signed: 'allowed',
      stranger: 'denied',
      unsigned: 'denied',
    });
  }, 180_000);

  it('keyless-attestation-sbom-spdxjson.yaml: an SPDX attestation by the fixture workflow', async () => {
    expect(
      await judge('keyless-attestation-sbom-spdxjson.yaml', ['sbom', 'sbom-stranger', 'signed', 'unsigned']),
    ).toEqual({
      sbom: 'allowed',
      'sbom-stranger': 'denied',
      signed: 'denied', // a signature is not an attestation
      unsigned: 'denied',
    });
  }, 180_000);

  it('custom-key-attestation-sbom-spdxjson.yaml: an SPDX attestation by the key, logged in Rekor', async () => {
    // ctlog names the public Rekor, so an entry there is required: the key's attestation without one is denied,
    // as policy-controller denies it. (An attestation logged in the local Rekor v2 cannot be admitted here: a key
    // authority trusts the public-good Rekor, or tlog.rekorKeys, whose log IDs are Rekor v1's.)
    expect(
      await judge('custom-key-attestation-sbom-spdxjson.yaml', ['key-sbom', 'key-sbom-rogue', 'unsigned']),
    ).toEqual({ 'key-sbom': 'denied', 'key-sbom-rogue': 'denied', unsigned: 'denied' });
  }, 180_000);

  it('every converted policy leaves unlabelled namespaces to --no-match, as policy-controller ignores them', async () => {
    expect(await judge('signed-by-github-actions.yaml', ['unsigned'], 'plain')).toEqual({
      unsigned: 'denied',
    });
  }, 180_000);

  it('cip-public-keyless.yaml converts to no policy: its tag glob never matches a digest reference', async () => {
    const name = 'cip-public-keyless.yaml';
    const converted = await convertInto('from-policy-controller', path.join(FIXTURES, name));
    expect(converted.run.code).toBe(0);
    expect(converted.run.stdout).not.toContain('kind: ClusterImagePolicy');
  });
});
