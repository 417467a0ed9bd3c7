// Proves the local Sigstore harness (test/harness/sigstore): keyless signatures and attestations made by the
// real cosign v3 and v2 through the local Fulcio, CT log, Rekor v2 and TSA verify against the generated trusted
// root with the right identity, and fail with a wrong one.
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { loadHarness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import {
  attestKeyless,
  createPrivateCa,
  githubCertificateIdentity,
  issueCodeSigning,
  runCosign,
  signKeyless,
  signWithCertificate,
  startSigstore,
  verifyKeyless,
  type Sigstore,
} from '../../harness/sigstore';

const harness = loadHarness();
const ALICE = 'alice@example.com';
const CAROL = 'carol@example.com';

let sigstore: Sigstore;

beforeAll(async () => {
  sigstore = await startSigstore();
});

afterAll(async () => {
  await sigstore?.stop();
});

// isAlive asks the kernel with signal 0 whether a process (group leader) still exists.
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local Sigstore services', () => {
  it('writes a trusted root naming exactly the local Fulcio, CT log, Rekor and TSA', () => {
    const root = sigstore.trustedRoot as {
      certificateAuthorities: { uri: string }[];
      ctlogs: { baseUrl: string }[];
      tlogs: { baseUrl: string }[];
      timestampAuthorities: { uri: string }[];
    };
    expect(root.certificateAuthorities.map((c) => c.uri)).toEqual([sigstore.fulcio.url]);
    expect(root.ctlogs.map((c) => c.baseUrl)).toEqual([sigstore.ctLog?.url]);
    expect(root.tlogs.map((c) => c.baseUrl)).toEqual([sigstore.rekor?.url]);
    expect(root.timestampAuthorities.map((c) => c.uri)).toEqual([sigstore.tsa?.timestampUrl]);
  });

  it.each([
    ['referrers API (oci-registry)', () => harness.referrers.host],
    ['tag fallback (distribution)', () => harness.distribution.host],
  ])('signs in the v3 bundle format on %s; verifies only as the signer and its issuer', async (_n, host) => {
    const image = await pushRandomImage(host(), 'keyless/bundle', 'v1');
    await signKeyless(sigstore, { image: image.ref, token: sigstore.emailToken(ALICE) });
    const issuer = sigstore.issuers.primary.url;
    const ok = await verifyKeyless(sigstore, { image: image.ref, identity: ALICE, issuer });
    expect(ok.stderr).toContain('transparency log was verified');
    expect(ok.code).toBe(0);
    const wrongPerson = await verifyKeyless(sigstore, {
      image: image.ref,
      identity: 'bob@example.com',
      issuer,
    });
    expect(wrongPerson.code).not.toBe(0);
    expect(wrongPerson.stderr).toContain('expected SAN value "bob@example.com"');
    const otherIssuer = sigstore.issuers.secondary.url;
    const wrongIssuer = await verifyKeyless(sigstore, {
      image: image.ref,
      identity: ALICE,
      issuer: otherIssuer,
    });
    expect(wrongIssuer.code).not.toBe(0);
    expect(wrongIssuer.stderr).toContain(`expected issuer value "${otherIssuer}"`);
  });

  it('signs in the legacy .sig format with cosign v2 (TSA timestamp, no Rekor entry); cosign v3 and v2 verify it', async () => {
    const image = await pushRandomImage(harness.distribution.host, 'keyless/legacy', 'v1');
    await signKeyless(sigstore, { image: image.ref, token: sigstore.emailToken(ALICE), format: 'legacy' });
    const sigTag = await fetch(
      `http://${harness.distribution.host}/v2/keyless/legacy/manifests/${image.digest.replace(':', '-')}.sig`,
      { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } },
    );
    expect(sigTag.status).toBe(200);
    const issuer = sigstore.issuers.primary.url;
    for (const cli of ['cosign', 'cosign2'] as const) {
      const ok = await verifyKeyless(sigstore, {
        image: image.ref,
        identity: ALICE,
        issuer,
        cli,
        tlog: false,
      });
      expect(ok.code).toBe(0);
      const wrong = await verifyKeyless(sigstore, {
        image: image.ref,
        identity: ALICE,
        issuer: sigstore.issuers.secondary.url,
        cli,
        tlog: false,
      });
      expect(wrong.code).not.toBe(0);
    }
    // Asked for a Rekor entry, cosign looks the signature up in the public-good Rekor: the harness's dead
    // proxy refuses that at once, which is what stops any stray request from leaving loopback.
    const needsTlog = await verifyKeyless(sigstore, { image: image.ref, identity: ALICE, issuer });
    expect(needsTlog.code).not.toBe(0);
    expect(needsTlog.stderr).toContain('proxyconnect tcp: dial tcp 127.0.0.1:9');
  });

  it('attests as a GitHub Actions workflow; verify-attestation matches the workflow identity and its extensions', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'keyless/attest', 'v1');
    await attestKeyless(sigstore, {
      image: image.ref,
      token: sigstore.githubToken(),
      predicate: { buildDefinition: { buildType: 'https://example.com/build/v1' }, runDetails: {} },
      predicateType: 'slsaprovenance1',
    });
    const id = githubCertificateIdentity();
    const common = {
      image: image.ref,
      identity: id.subjectAlternativeName,
      issuer: sigstore.issuers.github.url,
      attestationType: 'slsaprovenance1',
    };
    const ok = await verifyKeyless(sigstore, {
      ...common,
      extraArgs: [
        '--certificate-github-workflow-repository', 'portcullis-test/app',
        '--certificate-github-workflow-ref', id.sourceRepositoryRef,
        '--certificate-github-workflow-trigger', id.buildTrigger,
        '--certificate-github-workflow-sha', id.sourceRepositoryDigest,
      ],
    }); // prettier-ignore
    expect(ok.code).toBe(0);
    const otherRepo = await verifyKeyless(sigstore, {
      ...common,
      extraArgs: ['--certificate-github-workflow-repository', 'someone-else/app'],
    });
    expect(otherRepo.code).not.toBe(0);
    expect(otherRepo.stderr).toContain('expected GithubWorkflowRepository to be "someone-else/app"');
    const otherWorkflow = await verifyKeyless(sigstore, {
      ...common,
      identity: 'https://github.com/portcullis-test/app/.github/workflows/other.yml@refs/heads/main',
    });
    expect(otherWorkflow.code).not.toBe(0);
    const otherType = await verifyKeyless(sigstore, { ...common, attestationType: 'spdxjson' });
    expect(otherType.code).not.toBe(0);
    expect(otherType.stderr).toContain('none of the attestations matched the predicate type');
  });

  it('Fulcio refuses a token signed by a key its issuer does not publish', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'keyless/forged', 'v1');
    const forged = sigstore.emailToken(ALICE, { foreignKey: true });
    await expect(signKeyless(sigstore, { image: image.ref, token: forged })).rejects.toThrow(
      /Fulcio returned 400.*error processing the identity token/,
    );
  });

  it('signs with a key and a private-PKI certificate chain; cosign verifies it against that chain only', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'keyless/pki', 'v1');
    const ca = await createPrivateCa('portcullis-test private');
    await signWithCertificate({ image: image.ref, ca, leaf: await issueCodeSigning(ca, { email: CAROL }) });
    const other = await createPrivateCa('portcullis-test other');
    const verifyWith = async (chainPem: string, identity: string): Promise<number> => {
      const chain = path.join(sigstore.dir, `chain-${Math.random().toString(36).slice(2)}.pem`);
      await writeFile(chain, chainPem);
      const args = [
        'verify', '--certificate-chain', chain, '--certificate-identity', identity,
        '--certificate-oidc-issuer-regexp', '.*', '--insecure-ignore-tlog=true', '--insecure-ignore-sct=true',
        '--allow-http-registry', '--allow-insecure-registry', image.ref,
      ]; // prettier-ignore
      return (await runCosign(sigstore, 'cosign', args)).code;
    };
    expect(await verifyWith(ca.chainPem, CAROL)).toBe(0);
    expect(await verifyWith(ca.chainPem, ALICE)).not.toBe(0);
    expect(await verifyWith(other.chainPem, CAROL)).not.toBe(0);
  });

  it('stop() ends every service process', async () => {
    const pids = [...sigstore.pids];
    expect(pids.length).toBe(4);
    expect(pids.every(isAlive)).toBe(true);
    await sigstore.stop();
    expect(pids.filter(isAlive)).toEqual([]);
  });
});

describe('local Sigstore services without a CT log', () => {
  let bare: Sigstore;

  beforeAll(async () => {
    bare = await startSigstore({ ctLog: false, rekor: false });
  });

  afterAll(async () => {
    await bare?.stop();
  });

  it('trusted root has no CT log and no Rekor', () => {
    expect(bare.trustedRoot['ctlogs'] ?? []).toEqual([]);
    expect(bare.trustedRoot['tlogs'] ?? []).toEqual([]);
  });

  it('signs a bundle with a timestamp only; it verifies with SCT and tlog checks off', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'keyless/bare', 'v1');
    await signKeyless(bare, { image: image.ref, token: bare.emailToken(ALICE), tlog: false });
    const issuer = bare.issuers.primary.url;
    const ok = await verifyKeyless(bare, { image: image.ref, identity: ALICE, issuer, tlog: false });
    expect(ok.code).toBe(0);
    const wrong = await verifyKeyless(bare, {
      image: image.ref,
      identity: 'bob@example.com',
      issuer,
      tlog: false,
    });
    expect(wrong.code).not.toBe(0);
  });
});
