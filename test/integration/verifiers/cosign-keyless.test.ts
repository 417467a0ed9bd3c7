// The cosign verifier on keyless signatures and attestations made by the real cosign (v3 bundles, v2 legacy
// `.sig`) through the local Fulcio, CT log, Rekor v2 and TSA (test/harness/sigstore). Policies go through the
// real compiler with the harness's TrustedRoot inline, so what is checked is what a user would write.
import type { CompiledCosignAuthority } from '../../../src/policy/compile/compiled.types';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { VerifyError } from '../../../src/verifiers/errors';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  attestKeyless,
  githubCertificateIdentity,
  signKeyless,
  startSigstore,
  type Sigstore,
} from '../../harness/sigstore';
import { cosignAuthority, keylessBlock, verifyPushed } from './keyless-policy';
import { newRegistryReader } from './registry-reader';

const harness = loadHarness();
const ALICE = 'alice@example.com';
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
const BUILD_TYPE = 'https://example.com/build/v1';

let sigstore: Sigstore;
let reader: RegistryReader;

beforeAll(async () => {
  sigstore = await startSigstore();
  reader = newRegistryReader();
});

afterAll(async () => {
  await sigstore?.stop();
});

// authority compiles one cosign authority named `signer` through the real policy compiler.
const authority = cosignAuthority;

// keyless is a keyless block over the harness's TrustedRoot.
function keyless(identities: Record<string, unknown>[]): Record<string, unknown> {
  return keylessBlock(sigstore.trustedRoot, identities);
}

// verify runs the verifier on a pushed image, by digest.
function verify(image: PushedImage, a: CompiledCosignAuthority): Promise<Evidence> {
  return verifyPushed(reader, image, a);
}

describe('keyless signatures (cosign v3 bundles through Fulcio, Rekor v2, the TSA)', () => {
  let image: PushedImage;

  beforeAll(async () => {
    image = await pushRandomImage(harness.referrers.host, 'keyless/email', 'v1');
    await signKeyless(sigstore, { image: image.ref, token: sigstore.emailToken(ALICE) });
  }, 120_000);

  it('admits the signer the policy names, and says who signed', async () => {
    const a = authority({ keyless: keyless([{ issuer: sigstore.issuers.primary.url, subject: ALICE }]) });
    const evidence = await verify(image, a);
    expect(evidence.summary).toContain(ALICE);
    // The structured signer that `verify --output json` reports (docs/cli-output.md).
    expect(evidence.signer).toEqual({
      kind: 'keyless',
      subject: ALICE,
      issuer: sigstore.issuers.primary.url,
    });
  });

  it.each([
    ['another subject', { subject: 'bob@example.com' }],
    ['another issuer', { subject: ALICE, issuer: 'https://issuer.invalid' }],
    ['a pattern that only matches inside the subject', { subjectRegExp: 'alice' }],
  ])('refuses %s with VERIFY_IDENTITY_MISMATCH naming the certificate', async (_n, id) => {
    const a = authority({ keyless: keyless([{ issuer: sigstore.issuers.primary.url, ...id }]) });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_IDENTITY_MISMATCH', {
      instanceOf: VerifyError,
      message: new RegExp(ALICE.replace('.', '\\.')),
    });
  });

  it('refuses the signature under another Sigstore deployment (the public-good root), naming that root', async () => {
    const a = authority({
      keyless: { identities: [{ issuer: sigstore.issuers.primary.url, subject: ALICE }] },
    });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_TIMESTAMP_INVALID', {
      instanceOf: VerifyError,
      message: /trusted root: public-good/,
    });
  });

  it('a key authority does not accept the keyless signature', async () => {
    const a = authority({ key: { data: KEY_PEM } });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_SIGNATURE_INVALID', {
      instanceOf: VerifyError,
      message: /keyless/,
    });
  });
});

describe('GitHub Actions identities (Fulcio extensions)', () => {
  let image: PushedImage;
  const id = githubCertificateIdentity();

  beforeAll(async () => {
    image = await pushRandomImage(harness.referrers.host, 'keyless/github', 'v1');
    await signKeyless(sigstore, { image: image.ref, token: sigstore.githubToken() });
  }, 120_000);

  it('admits the workflow of the repository on its ref', async () => {
    const a = authority({
      keyless: keyless([
        {
          issuer: sigstore.issuers.github.url,
          subjectRegExp: 'https://github.com/portcullis-test/app/\\.github/workflows/.*',
          extensions: {
            sourceRepositoryURI: id.sourceRepositoryURI,
            sourceRepositoryRef: id.sourceRepositoryRef,
          },
          extensionsRegExp: { buildTrigger: 'push|workflow_dispatch' },
        },
      ]),
    });
    await expect(verify(image, a)).resolves.toMatchObject({ authority: 'signer' });
  });

  it.each([
    [
      'a prefix of the organisation (anchored: acme/.* never matches acme-evil)',
      { subjectRegExp: 'https://github.com/portcullis-te/.*' },
    ],
    ['another ref', { subjectRegExp: '.*', extensions: { sourceRepositoryRef: 'refs/tags/v1' } }],
    [
      'another repository',
      {
        subjectRegExp: '.*',
        extensions: { sourceRepositoryURI: 'https://github.com/portcullis-test/other' },
      },
    ],
  ])('refuses %s', async (_n, id) => {
    const a = authority({ keyless: keyless([{ issuer: sigstore.issuers.github.url, ...id }]) });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_IDENTITY_MISMATCH', {
      instanceOf: VerifyError,
    });
  });
});

describe('transparency log and timestamps', () => {
  it('a legacy .sig signature with a TSA timestamp and no log entry passes only with tlog.required: false', async () => {
    const image = await pushRandomImage(harness.distribution.host, 'keyless/legacy', 'v1');
    await signKeyless(sigstore, {
      image: image.ref,
      token: sigstore.emailToken(ALICE),
      format: 'legacy',
      tlog: false,
    });
    const identities = [{ issuer: sigstore.issuers.primary.url, subject: ALICE }];
    await expect(
      verify(image, authority({ keyless: keyless(identities), tlog: { required: false } })),
    ).resolves.toMatchObject({
      summary: expect.stringContaining('legacy'),
    });
    await expect(verify(image, authority({ keyless: keyless(identities) }))).rejects.toThrowWithCode(
      'VERIFY_TLOG_INVALID',
      { instanceOf: VerifyError, message: /tlog\.required/ },
    );
  }, 120_000);

  it('a bundle with neither a log entry nor a timestamp has no trusted time: VERIFY_TIMESTAMP_INVALID', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'keyless/untimed', 'v1');
    await signKeyless(sigstore, {
      image: image.ref,
      token: sigstore.emailToken(ALICE),
      tlog: false,
      timestamp: false,
    });
    const a = authority({
      keyless: keyless([{ issuer: sigstore.issuers.primary.url, subject: ALICE }]),
      tlog: { required: false },
    });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_TIMESTAMP_INVALID', {
      instanceOf: VerifyError,
      message: /no trusted time/,
    });
  }, 120_000);
});

describe('attestations with CEL conditions', () => {
  let image: PushedImage;
  const identities = (): Record<string, unknown>[] => [
    { issuer: sigstore.issuers.github.url, subjectRegExp: '.*' },
  ];

  beforeAll(async () => {
    image = await pushRandomImage(harness.referrers.host, 'keyless/attested', 'v1');
    await signKeyless(sigstore, { image: image.ref, token: sigstore.githubToken() });
    await attestKeyless(sigstore, {
      image: image.ref,
      token: sigstore.githubToken(),
      predicate: {
        buildDefinition: { buildType: BUILD_TYPE },
        runDetails: { builder: { id: 'https://example.com/builder' } },
      },
      predicateType: 'slsaprovenance1',
    });
  }, 120_000);

  it('passes when the statement is for this digest and every condition holds', async () => {
    const a = authority({
      keyless: keyless(identities()),
      attestations: [
        {
          name: 'slsa',
          predicateType: SLSA_V1,
          conditions: [
            `predicate.buildDefinition.buildType == "${BUILD_TYPE}"`,
            'predicate.runDetails.builder.id.startsWith("https://example.com/")',
          ],
        },
      ],
    });
    await expect(verify(image, a)).resolves.toMatchObject({ authority: 'signer' });
  });

  it('a condition that is false denies with VERIFY_CONDITION_FAILED and quotes it', async () => {
    const a = authority({
      keyless: keyless(identities()),
      attestations: [
        {
          name: 'slsa',
          predicateType: SLSA_V1,
          conditions: ['predicate.buildDefinition.buildType == "other"'],
        },
      ],
    });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_CONDITION_FAILED', {
      instanceOf: VerifyError,
      message: /buildType == "other"/,
    });
  });

  it('a required type that is not there denies with VERIFY_ATTESTATION_MISSING (a signature does not stand in)', async () => {
    const a = authority({
      keyless: keyless(identities()),
      attestations: [{ name: 'sbom', predicateType: 'https://spdx.dev/Document' }],
    });
    await expect(verify(image, a)).rejects.toThrowWithCode('VERIFY_ATTESTATION_MISSING', {
      instanceOf: VerifyError,
      message: /sbom/,
    });
  });

  it('an attestation by another identity does not count', async () => {
    const a = authority({
      keyless: keyless([
        { issuer: sigstore.issuers.github.url, subjectRegExp: 'https://github.com/someone-else/.*' },
      ]),
      attestations: [{ name: 'slsa', predicateType: SLSA_V1 }],
    });
    await expect(verify(image, a)).rejects.toThrow(VerifyError);
  });
});

/** An unrelated P-256 public key, for "a key authority meets a keyless signature". */
const KEY_PEM = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdyz+MR3kSzkdzOyunGrgEdf6JGmn
kF/bPJYKqa9Un6WCXrQ1XxzCSy+JZ6YlLDZ34lTR6BZrBhnRgJPXei3F+Q==
-----END PUBLIC KEY-----
`;
