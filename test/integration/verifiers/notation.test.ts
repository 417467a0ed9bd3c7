// notationVerifier against real registries (oci-registry with referrers, distribution without) and the real
// notation CLI: JWS and COSE, RSA and EC keys, trusted and untrusted signers, expiry, tampering, rebinding.
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import type { CompiledNotationAuthority } from '../../../src/policy/compile/compiled.types';
import type { NotationAuthority } from '../../../src/policy/crd/crd.types';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { VerifyError } from '../../../src/verifiers/errors';
import { createNotationVerifier } from '../../../src/verifiers/notation/verifier';
import type { Evidence, VerifyTarget } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import { compileAuthority, revocationAnswering } from '../../unit/verifiers/notation/fixtures';
import {
  generateEcKey,
  generateRsaKey,
  notationSign,
  type NotationCli,
  type NotationKey,
} from './notation-cli';
import { deleteManifest, getBlob, getManifest, listReferrerDigests, putBlob, putManifest } from './oci-push';
import { newRegistryReader } from './registry-reader';

const harness = loadHarness();
/** The test certificates name no CRL, so revocation is "good" by construction; a scripted checker proves it is asked. */
const verifier = createNotationVerifier({ revocation: revocationAnswering({ status: 'good' }) });

let cli: NotationCli;
let keys: Record<'rsa2048' | 'rsa3072' | 'p256' | 'p384' | 'rogue', NotationKey>;
let reader: RegistryReader;

beforeAll(async () => {
  const configHome = await mkdtemp(path.join(os.tmpdir(), 'portcullis-notation-'));
  cli = { bin: path.join(harness.tools, 'notation'), configHome };
  keys = {
    rsa2048: await generateRsaKey(cli, 'release-rsa2048', 2048),
    rsa3072: await generateRsaKey(cli, 'release-rsa3072', 3072),
    rogue: await generateRsaKey(cli, 'rogue', 2048),
    p256: await generateEcKey(cli, 'release-p256', 'P-256'),
    p384: await generateEcKey(cli, 'release-p384', 'P-384'),
  };
  reader = newRegistryReader();
}, 180_000);

afterAll(async () => {
  await rm(cli.configHome, { recursive: true, force: true });
});

// authority trusts the four release keys' certificates, with identities or `*`, at a level.
function authority(overrides: Partial<NotationAuthority> = {}): CompiledNotationAuthority {
  return compileAuthority({
    trustStore: { ca: [keys.rsa2048, keys.rsa3072, keys.p256, keys.p384].map((k) => k.certPem) },
    trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary'],
    verificationLevel: 'strict',
    ...overrides,
  });
}

// verifyImage runs the verifier on a pushed image, resolved by digest with the real client.
async function verifyImage(
  host: string,
  repo: string,
  image: PushedImage,
  a = authority(),
): Promise<Evidence> {
  const request = { deadline: Date.now() + 60_000, credentials: { lookup: () => undefined } };
  const repoRef = { registry: host, repository: repo };
  const descriptor = await reader.resolve(repoRef, image.digest, request);
  const target: VerifyTarget = {
    ref: {
      registry: host,
      repository: repo,
      name: `${host}/${repo}`,
      original: image.ref,
      digest: image.digest,
    },
    repo: repoRef,
    digest: image.digest,
    descriptor: () => Promise.resolve(descriptor),
  };
  return verifier.verify(target, a, {
    registry: reader,
    request,
    now: () => new Date(),
    logger: pino({ level: 'silent' }),
  });
}

// expectDenied checks the error class, code, digest and reason.
async function expectDenied(
  p: Promise<Evidence>,
  code: string,
  digest: string,
  message: RegExp,
): Promise<void> {
  await expect(p).rejects.toThrowWithCode(code, {
    instanceOf: VerifyError,
    details: { digest, authority: 'notation' },
    message,
  });
}

const REGISTRIES = [
  { name: 'referrers API (oci-registry)', host: () => harness.referrers.host, referrersApi: true },
  { name: 'tag fallback (distribution)', host: () => harness.distribution.host, referrersApi: false },
] as const;
const FORMATS = ['jws', 'cose'] as const;
const KEYS = [
  ['rsa2048', 'PS256'],
  ['rsa3072', 'PS384'],
  ['p256', 'ES256'],
  ['p384', 'ES384'],
] as const;

describe.each(REGISTRIES)('notation on $name', ({ host, referrersApi }) => {
  it.each(FORMATS.flatMap((f) => KEYS.map(([k, alg]) => [f, k, alg] as const)))(
    'admits %s signed with %s (%s) by a trusted identity',
    async (format, key, alg) => {
      const repo = `notation/${format}-${key}`;
      const image = await pushRandomImage(host(), repo, 'v1');
      await notationSign(cli, keys[key], image.ref, { format, referrersApi });
      const evidence = await verifyImage(host(), repo, image);
      expect(evidence).toMatchObject({ scheme: 'notation', authority: 'notation' });
      expect(evidence.summary).toContain(`${format.toUpperCase()} ${alg}`);
      expect(evidence.summary).toContain(`CN=release-${key}`);
      expect(evidence.signer).toEqual({
        kind: 'certificate',
        subject: expect.stringContaining(`CN=release-${key}`),
      });
      expect(evidence.warnings).toBeUndefined();
    },
  );

  it.each(FORMATS)('denies %s signed by an untrusted CA', async (format) => {
    const image = await pushRandomImage(host(), 'notation/rogue', format);
    await notationSign(cli, keys.rogue, image.ref, { format, referrersApi });
    await expectDenied(
      verifyImage(host(), 'notation/rogue', image),
      'VERIFY_UNTRUSTED_SIGNER',
      image.digest,
      /contains none of the 4 certificate\(s\) of trustStore\.ca/,
    );
  });

  it.each(FORMATS)('denies %s by an identity not in trustedIdentities', async (format) => {
    const image = await pushRandomImage(host(), 'notation/identity', format);
    await notationSign(cli, keys.rsa2048, image.ref, { format, referrersApi });
    const a = authority({ trustedIdentities: ['x509.subject: C=US, ST=WA, O=Notary, CN=someone-else'] });
    await expectDenied(
      verifyImage(host(), 'notation/identity', image, a),
      'VERIFY_IDENTITY_MISMATCH',
      image.digest,
      /CN=release-rsa2048" matches none of the trusted identities/,
    );
  });

  it('denies an unsigned image, with a precise reason', async () => {
    const image = await pushRandomImage(host(), 'notation/unsigned', 'v1');
    await expectDenied(
      verifyImage(host(), 'notation/unsigned', image),
      'VERIFY_NO_SIGNATURES',
      image.digest,
      /no Notation signature found/,
    );
  });
});

describe('notation expiry and verification levels', () => {
  it.each(FORMATS)(
    'denies an expired %s signature under strict and admits it with a warning under permissive',
    async (format) => {
      const host = harness.referrers.host;
      const image = await pushRandomImage(host, 'notation/expired', format);
      await notationSign(cli, keys.p256, image.ref, { format, referrersApi: true, expiry: '1s' });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await expectDenied(
        verifyImage(host, 'notation/expired', image),
        'VERIFY_SIGNATURE_EXPIRED',
        image.digest,
        /the signature expired at/,
      );
      const evidence = await verifyImage(
        host,
        'notation/expired',
        image,
        authority({ verificationLevel: 'permissive' }),
      );
      expect(evidence.warnings).toEqual([
        expect.stringMatching(/expiry check failed but verificationLevel permissive only logs it/),
      ]);
    },
  );

  it('admits an untrusted signer under audit, with a warning', async () => {
    const host = harness.referrers.host;
    const image = await pushRandomImage(host, 'notation/audit', 'v1');
    await notationSign(cli, keys.rogue, image.ref, { format: 'jws', referrersApi: true });
    const evidence = await verifyImage(
      host,
      'notation/audit',
      image,
      authority({ verificationLevel: 'audit' }),
    );
    expect(evidence.warnings).toEqual([
      expect.stringMatching(/authenticity check failed but verificationLevel audit only logs it/),
    ]);
  });
});

describe('notation signatures that were altered', () => {
  // signedReferrer signs a fresh image on the referrers registry and returns its only signature manifest.
  async function signedReferrer(
    repo: string,
    format: 'jws' | 'cose',
  ): Promise<{ image: PushedImage; digest: string }> {
    const host = harness.referrers.host;
    const image = await pushRandomImage(host, repo, format);
    await notationSign(cli, keys.rsa2048, image.ref, { format, referrersApi: true });
    const [digest] = await listReferrerDigests(host, repo, image.digest);
    if (digest === undefined) throw new Error('notation pushed no referrer');
    return { image, digest };
  }

  it.each(FORMATS)('denies a tampered %s envelope', async (format) => {
    const host = harness.referrers.host;
    const repo = 'notation/tampered';
    const { image, digest } = await signedReferrer(repo, format);
    const manifest = await getManifest(host, repo, digest);
    const layer = manifest.layers[0] as { digest: string; mediaType: string; size: number };
    const envelope = await getBlob(host, repo, layer.digest);
    // Change the signature value, not its encoding (JWS: swap one base64url character for another valid
    // one, so the envelope still parses; a bit flip could make an invalid character. COSE: flip raw bits).
    const tampered = Buffer.from(envelope);
    const at = format === 'jws' ? tampered.lastIndexOf('"signature":"') + 20 : tampered.length - 10;
    const A = 'A'.charCodeAt(0);
    if (format === 'jws') tampered[at] = tampered[at] === A ? A + 1 : A;
    else tampered[at] = (tampered[at] as number) ^ 0x40;
    const newDigest = await putBlob(host, repo, tampered);
    await putManifest(host, repo, undefined, {
      ...manifest,
      layers: [{ ...layer, digest: newDigest, size: tampered.length }],
    });
    await deleteManifest(host, repo, digest);
    await expectDenied(
      verifyImage(host, repo, image),
      'VERIFY_SIGNATURE_INVALID',
      image.digest,
      /does not verify|tampered/,
    );
  });

  it.each(FORMATS)('denies a %s signature copied onto another digest', async (format) => {
    const host = harness.referrers.host;
    const repo = 'notation/rebound';
    const { digest } = await signedReferrer(repo, format);
    const other = await pushRandomImage(host, repo, `other-${format}`);
    const manifest = await getManifest(host, repo, digest);
    await putManifest(host, repo, undefined, {
      ...manifest,
      subject: { mediaType: other.mediaType, digest: other.digest, size: other.size },
    });
    await expectDenied(
      verifyImage(host, repo, other),
      'VERIFY_DIGEST_MISMATCH',
      other.digest,
      /the signature is for sha256:[0-9a-f]{64} \(\d+ bytes\), not for this image/,
    );
  });
});
