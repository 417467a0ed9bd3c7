// Adversarial keyless cases for the cosign verifier, with signatures made by the real cosign v3 (bundles) and
// v2 (legacy `.sig` / `.att`) through the local Fulcio, CT log, Rekor v2 and TSA: certificates verified after
// they expired, transparency-log evidence altered after signing, and an attestation copied onto another image.
// Rekor v2 gives no signed time and cosign v2 can only log to Rekor v1, so legacy SETs come from an in-process
// Rekor v1 stand-in whose key the policies name in `tlog.rekorKeys` (test/harness/sigstore/rekor-v1-log.ts).
import type { CompiledCosignAuthority } from '../../../src/policy/compile/compiled.types';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { VerifyError } from '../../../src/verifiers/errors';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import {
  attestKeyless,
  createRekorV1Log,
  signKeyless,
  startSigstore,
  type RekorV1Bundle,
  type RekorV1Log,
  type Sigstore,
} from '../../harness/sigstore';
import { cosignAuthority, keylessBlock, verifyPushed } from './keyless-policy';
import {
  notAfterOf,
  pushLegacyAnnotations,
  readLegacySignature,
  REKOR_BUNDLE_ANNOTATION,
  type LegacySignature,
} from './legacy-signature';
import { bundleOf, deleteManifest, getManifest, pushBundleReferrer, putManifest, sigTag } from './oci-push';
import { newRegistryReader } from './registry-reader';
import { entryOf, flipped, type Json } from './bundle-tamper';

const harness = loadHarness();
const ALICE = 'alice@example.com';
const SLSA_V1 = 'https://slsa.dev/provenance/v1';
/** How long after the certificate's notAfter the "later" verifications run. */
const AFTER_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** Every timer API but Date stays real, so sockets and deadlines work while the wall clock says "later". */
const ALL_BUT_DATE = [
  'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame',
  'requestIdleCallback', 'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setInterval',
  'clearInterval', 'setTimeout', 'clearTimeout',
] as const; // prettier-ignore

let sigstore: Sigstore;
let reader: RegistryReader;
let rekorV1: RekorV1Log;

beforeAll(async () => {
  sigstore = await startSigstore();
  reader = newRegistryReader();
  rekorV1 = createRekorV1Log();
});

afterAll(async () => {
  await sigstore?.stop();
});

// authority is a keyless authority for ALICE at the primary issuer, under the harness's root.
function authority(extra: Record<string, unknown> = {}): CompiledCosignAuthority {
  const identities = [{ issuer: sigstore.issuers.primary.url, subject: ALICE }];
  return cosignAuthority({ keyless: keylessBlock(sigstore.trustedRoot, identities), ...extra });
}

// withRekorV1 trusts only the Rekor v1 stand-in's key as the transparency log.
function withRekorV1(required = true): CompiledCosignAuthority {
  return authority({ tlog: { required, rekorKeys: [rekorV1.publicKeyPem] } });
}

// verifyAfterExpiry verifies when both the verifier's clock and the process's Date are a day past notAfter,
// so any comparison of the certificate with "now" (ours or @sigstore/verify's) would deny.
async function verifyAfterExpiry(
  image: PushedImage,
  a: CompiledCosignAuthority,
  notAfter: Date,
): Promise<Evidence> {
  const later = new Date(notAfter.getTime() + AFTER_EXPIRY_MS);
  jest.useFakeTimers({ now: later, doNotFake: [...ALL_BUT_DATE] });
  try {
    expect(Date.now()).toBeGreaterThan(notAfter.getTime());
    return await verifyPushed(reader, image, a, later);
  } finally {
    jest.useRealTimers();
  }
}

// signLegacy signs a fresh image on the registry without referrers with cosign v2 (no log entry) and
// reads its `.sig` back.
async function signLegacy(repo: string, timestamp: boolean): Promise<[PushedImage, LegacySignature]> {
  const host = harness.distribution.host;
  const image = await pushRandomImage(host, repo, 'v1');
  const token = sigstore.emailToken(ALICE);
  await signKeyless(sigstore, { image: image.ref, token, format: 'legacy', tlog: false, timestamp });
  return [image, await readLegacySignature(host, repo, image.digest)];
}

// certificateOf is the leaf certificate (DER) of a v0.3 bundle.
function certificateOf(bundle: Record<string, unknown>): Buffer {
  const material = bundle['verificationMaterial'] as { certificate: { rawBytes: string } };
  return Buffer.from(material.certificate.rawBytes, 'base64');
}

describe('a certificate that expired before verification', () => {
  it('a cosign v3 bundle passes on its RFC 3161 timestamp inside the validity window', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'expired/bundle', 'v1');
    await signKeyless(sigstore, { image: image.ref, token: sigstore.emailToken(ALICE) });
    const { bundle } = await bundleOf(harness.referrers.host, 'expired/bundle', image.digest);
    const notAfter = notAfterOf(certificateOf(bundle));
    await expect(verifyAfterExpiry(image, authority(), notAfter)).resolves.toMatchObject({
      summary: expect.stringContaining(ALICE),
    });
  }, 120_000);

  it('a cosign v3 bundle with neither a log entry nor a timestamp is denied: VERIFY_TIMESTAMP_INVALID', async () => {
    const image = await pushRandomImage(harness.referrers.host, 'expired/untimed', 'v1');
    const token = sigstore.emailToken(ALICE);
    await signKeyless(sigstore, { image: image.ref, token, tlog: false, timestamp: false });
    const { bundle } = await bundleOf(harness.referrers.host, 'expired/untimed', image.digest);
    const a = authority({ tlog: { required: false } });
    await expect(verifyAfterExpiry(image, a, notAfterOf(certificateOf(bundle)))).rejects.toThrowWithCode(
      'VERIFY_TIMESTAMP_INVALID',
      { instanceOf: VerifyError, message: /no trusted time/ },
    );
  }, 120_000);

  it('a legacy .sig passes on its TSA timestamp when tlog.required is false', async () => {
    const [image, sig] = await signLegacy('expired/legacy-tsa', true);
    const a = authority({ tlog: { required: false } });
    await expect(verifyAfterExpiry(image, a, notAfterOf(sig.certificatePem))).resolves.toMatchObject({
      summary: expect.stringContaining('legacy'),
    });
  }, 120_000);

  it('a legacy .sig passes on the integrated time of its Rekor SET', async () => {
    const [image, sig] = await signLegacy('expired/legacy-set', false);
    await pushLegacyAnnotations(sig, { [REKOR_BUNDLE_ANNOTATION]: rekorV1.annotate(sig) });
    await expect(
      verifyAfterExpiry(image, withRekorV1(), notAfterOf(sig.certificatePem)),
    ).resolves.toMatchObject({ summary: expect.stringContaining(ALICE) });
  }, 120_000);

  it('a legacy .sig with neither a SET nor a timestamp is denied: VERIFY_TIMESTAMP_INVALID', async () => {
    const [image, sig] = await signLegacy('expired/legacy-untimed', false);
    const a = authority({ tlog: { required: false } });
    await expect(verifyAfterExpiry(image, a, notAfterOf(sig.certificatePem))).rejects.toThrowWithCode(
      'VERIFY_TIMESTAMP_INVALID',
      { instanceOf: VerifyError, message: /no trusted time/ },
    );
  }, 120_000);

  it('a genuine SET whose integrated time is after notAfter does not make the certificate valid', async () => {
    const [image, sig] = await signLegacy('expired/legacy-late', false);
    const late = Math.floor(notAfterOf(sig.certificatePem).getTime() / 1000) + 60;
    await pushLegacyAnnotations(sig, { [REKOR_BUNDLE_ANNOTATION]: rekorV1.annotate(sig, late) });
    await expect(verifyPushed(reader, image, withRekorV1())).rejects.toThrowWithCode(
      'VERIFY_CERT_CHAIN_INVALID',
      { instanceOf: VerifyError, message: /certificate refused/ },
    );
  }, 120_000);
});

describe('altered transparency-log evidence in a cosign v3 bundle (Rekor v2)', () => {
  const host = (): string => harness.referrers.host;
  const repo = 'tamper/keyless-bundle';
  let image: PushedImage;
  let original: Awaited<ReturnType<typeof bundleOf>>;
  let other: Json;

  beforeAll(async () => {
    const token = (): string => sigstore.emailToken(ALICE);
    const otherImage = await pushRandomImage(host(), repo, 'other');
    await signKeyless(sigstore, { image: otherImage.ref, token: token() });
    other = (await bundleOf(host(), repo, otherImage.digest)).bundle;
    image = await pushRandomImage(host(), repo, 'v1');
    await signKeyless(sigstore, { image: image.ref, token: token() });
    original = await bundleOf(host(), repo, image.digest);
    await deleteManifest(host(), repo, original.digest);
  }, 120_000);

  // verifyAltered pushes a changed copy of the genuine bundle as the image's only referrer and verifies it.
  async function verifyAltered(alter: (bundle: Json) => void, a = authority()): Promise<Evidence> {
    const bundle = structuredClone(original.bundle);
    alter(bundle);
    const pushed = await pushBundleReferrer(host(), repo, original.manifest, bundle, image);
    try {
      return await verifyPushed(reader, image, a);
    } finally {
      await deleteManifest(host(), repo, pushed);
    }
  }

  it('the genuine bundle, pushed back the same way, passes (so each denial below is the alteration)', async () => {
    await expect(verifyAltered(() => undefined)).resolves.toMatchObject({ authority: 'signer' });
  });

  it.each<[string, (b: Json) => void, RegExp]>([
    [
      'a forged SET (inclusion promise) claiming an integrated time',
      (b) => {
        const entry = entryOf(b);
        entry['integratedTime'] = String(Math.floor(Date.now() / 1000));
        entry['inclusionPromise'] = { signedEntryTimestamp: flipped(Buffer.alloc(70, 1).toString('base64')) };
      },
      /does not verify: inclusion promise could not be verified/,
    ],
    [
      'an altered inclusion-proof hash',
      (b) => {
        const proof = entryOf(b).inclusionProof;
        expect(proof.hashes.length).toBeGreaterThan(0);
        proof.hashes[0] = flipped(proof.hashes[0] ?? '');
      },
      /does not verify: calculated root hash does not match inclusion proof/,
    ],
    [
      'an altered root hash in the signed checkpoint',
      (b) => {
        const checkpoint = entryOf(b).inclusionProof.checkpoint;
        const lines = checkpoint.envelope.split('\n');
        lines[2] = flipped(lines[2] ?? '');
        checkpoint.envelope = lines.join('\n');
      },
      /does not verify: invalid checkpoint signature/,
    ],
    [
      "another signature's logged body under this entry's proof",
      (b) => {
        entryOf(b)['canonicalizedBody'] = entryOf(other)['canonicalizedBody'];
      },
      /does not verify: calculated root hash does not match inclusion proof/,
    ],
    [
      "another signature's genuine log entry",
      (b) => {
        (b['verificationMaterial'] as Json)['tlogEntries'] = structuredClone(
          (other['verificationMaterial'] as Json)['tlogEntries'],
        );
      },
      /for another signature or artifact: .*signature mismatch/,
    ],
  ])('denies %s with VERIFY_TLOG_INVALID', async (_name, alter, message) => {
    await expect(verifyAltered(alter)).rejects.toThrowWithCode('VERIFY_TLOG_INVALID', {
      instanceOf: VerifyError,
      message,
    });
  });

  it('denies an altered entry even when tlog.required is false (a bad entry is not ignored)', async () => {
    const alter = (b: Json): void => {
      const proof = entryOf(b).inclusionProof;
      proof.hashes[0] = flipped(proof.hashes[0] ?? '');
    };
    await expect(verifyAltered(alter, authority({ tlog: { required: false } }))).rejects.toThrowWithCode(
      'VERIFY_TLOG_INVALID',
      { instanceOf: VerifyError, message: /does not verify: calculated root hash/ },
    );
  });
});

describe('altered Rekor SET in a legacy .sig (dev.sigstore.cosign/bundle)', () => {
  let image: PushedImage;
  let sig: LegacySignature;
  let otherSig: LegacySignature;
  let genuine: RekorV1Bundle;

  beforeAll(async () => {
    [, otherSig] = await signLegacy('tamper/legacy-other', false);
    [image, sig] = await signLegacy('tamper/legacy', false);
    genuine = JSON.parse(rekorV1.annotate(sig)) as RekorV1Bundle;
  }, 120_000);

  // verifyWith pushes the `.sig` back with `set` as its Rekor bundle annotation and verifies it.
  async function verifyWith(set: RekorV1Bundle, a = withRekorV1()): Promise<Evidence> {
    await pushLegacyAnnotations(sig, { [REKOR_BUNDLE_ANNOTATION]: JSON.stringify(set) });
    return verifyPushed(reader, image, a);
  }

  it('the genuine SET passes', async () => {
    await expect(verifyWith(genuine)).resolves.toMatchObject({ summary: expect.stringContaining('legacy') });
  });

  const moved = (seconds: number): RekorV1Bundle => ({
    ...genuine,
    Payload: { ...genuine.Payload, integratedTime: genuine.Payload.integratedTime + seconds },
  });

  const resigned = (payload: RekorV1Bundle['Payload']): RekorV1Bundle => ({
    SignedEntryTimestamp: rekorV1.sign(payload),
    Payload: payload,
  });

  it.each<[string, () => RekorV1Bundle, RegExp]>([
    [
      'an altered SET',
      () => ({ ...genuine, SignedEntryTimestamp: flipped(genuine.SignedEntryTimestamp) }),
      /does not verify: inclusion promise could not be verified/,
    ],
    [
      'an integrated time moved later after logging',
      () => moved(60),
      /does not verify: inclusion promise could not be verified/,
    ],
    [
      // The forged time is before the certificate was issued: the log entry is at fault, not the certificate.
      'an integrated time moved before the certificate was issued',
      () => moved(-3600),
      /does not verify: inclusion promise could not be verified/,
    ],
    [
      'a logged body swapped for the entry of another signature',
      () => ({ ...genuine, Payload: { ...genuine.Payload, body: rekorV1.body(otherSig) } }),
      /does not verify: inclusion promise could not be verified/,
    ],
    [
      'a genuinely signed SET whose body describes another signature',
      () => resigned({ ...genuine.Payload, body: rekorV1.body(otherSig) }),
      /for another signature or artifact: signature mismatch/,
    ],
    [
      'a SET signed by a log the policy does not trust',
      () => JSON.parse(createRekorV1Log().annotate(sig)) as RekorV1Bundle,
      /does not verify: inclusion promise could not be verified/,
    ],
  ])('denies %s with VERIFY_TLOG_INVALID', async (_name, make, message) => {
    await expect(verifyWith(make())).rejects.toThrowWithCode('VERIFY_TLOG_INVALID', {
      instanceOf: VerifyError,
      message,
    });
  });

  it('an untrusted SET is refused even when tlog.required is false (its time is not a trusted time)', async () => {
    const foreign = JSON.parse(createRekorV1Log().annotate(sig)) as RekorV1Bundle;
    await expect(verifyWith(foreign, withRekorV1(false))).rejects.toThrowWithCode('VERIFY_TLOG_INVALID', {
      instanceOf: VerifyError,
      message: /inclusion promise could not be verified/,
    });
  });
});

describe("an attestation copied onto another image (its statement names the first image's digest)", () => {
  const identities = (): Record<string, unknown>[] => [
    { issuer: sigstore.issuers.github.url, subjectRegExp: '.*' },
  ];
  const predicate = {
    buildDefinition: { buildType: 'https://example.com/build/v1' },
    runDetails: { builder: { id: 'https://example.com/builder' } },
  };

  // requiring is an authority that needs a SLSA v1 provenance attestation by the GitHub workflow.
  function requiring(extra: Record<string, unknown> = {}): CompiledCosignAuthority {
    return cosignAuthority({
      keyless: keylessBlock(sigstore.trustedRoot, identities()),
      attestations: [{ name: 'slsa', predicateType: SLSA_V1 }],
      ...extra,
    });
  }

  it('a cosign v3 attestation bundle pushed as a referrer of another image is denied naming both digests', async () => {
    const host = harness.referrers.host;
    const attested = await pushRandomImage(host, 'copied/att-bundle', 'v1');
    const victim = await pushRandomImage(host, 'copied/att-bundle', 'v2');
    const token = sigstore.githubToken();
    await attestKeyless(sigstore, { image: attested.ref, token, predicate, predicateType: 'slsaprovenance1' }); // prettier-ignore
    await expect(verifyPushed(reader, attested, requiring())).resolves.toMatchObject({ authority: 'signer' });
    const { manifest, bundle } = await bundleOf(host, 'copied/att-bundle', attested.digest);
    await pushBundleReferrer(host, 'copied/att-bundle', manifest, bundle, victim);
    const denied = verifyPushed(reader, victim, requiring());
    await expect(denied).rejects.toThrowWithCode('VERIFY_DIGEST_MISMATCH', {
      instanceOf: VerifyError,
      message: new RegExp(`statement is about ${attested.digest}, not ${victim.digest}`),
    });
  }, 120_000);

  it('a genuine cosign v2 .att passes (its TSA timestamp covers the envelope); copied to the .att tag of another image it is denied', async () => {
    const host = harness.distribution.host;
    const attested = await pushRandomImage(host, 'copied/att-legacy', 'v1');
    const victim = await pushRandomImage(host, 'copied/att-legacy', 'v2');
    const token = sigstore.githubToken();
    await attestKeyless(sigstore, {
      image: attested.ref, token, predicate, predicateType: 'slsaprovenance1', format: 'legacy', tlog: false,
    }); // prettier-ignore
    const a = requiring({ tlog: { required: false } });
    await expect(verifyPushed(reader, attested, a)).resolves.toMatchObject({ authority: 'signer' });
    const att = await getManifest(host, 'copied/att-legacy', sigTag(attested.digest, 'att'));
    await putManifest(host, 'copied/att-legacy', sigTag(victim.digest, 'att'), att);
    await expect(verifyPushed(reader, victim, a)).rejects.toThrowWithCode('VERIFY_DIGEST_MISMATCH', {
      instanceOf: VerifyError,
      message: new RegExp(`statement is about ${attested.digest}, not ${victim.digest}`),
    });
  }, 120_000);
});
