// cosignVerifier against real registries (oci-registry with referrers, distribution without) and real cosign.
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CompiledCosignAuthority, CompiledPublicKey } from '../../../src/policy/compile/compiled.types';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { cosignVerifier } from '../../../src/verifiers/cosign/verifier';
import { VerifyError } from '../../../src/verifiers/errors';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, type PushedImage } from '../../harness/images';
import { compileKey } from '../../unit/verifiers/keys';
import {
  attestV2,
  attestV3,
  makeCosignKey,
  signV2,
  signV3,
  type CosignKey,
  type CosignKeyType,
} from './cosign-cli';
import { newRegistryReader, resolveForVerifier } from './registry-reader';
import {
  bundleOf,
  deleteManifest,
  getBlob,
  getManifest,
  pushBundleReferrer,
  putBlob,
  putManifest,
  sigTag,
  type Manifest,
} from './oci-push';

const harness = loadHarness();
const cosign = path.join(harness.tools, 'cosign');
const cosign2 = path.join(harness.tools, 'cosign2');
const KEY_TYPES: CosignKeyType[] = ['p256', 'p384', 'p521', 'rsa2048', 'rsa4096', 'ed25519'];

let dir: string;
let keys: Record<CosignKeyType, CosignKey>;
let other: CosignKey;
let reader: RegistryReader;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-'));
  const made = await Promise.all(KEY_TYPES.map((t) => makeCosignKey(cosign, dir, t)));
  keys = Object.fromEntries(made.map((k) => [k.type, k])) as Record<CosignKeyType, CosignKey>;
  other = await makeCosignKey(cosign, await mkdtemp(path.join(dir, 'other-')), 'p256');
  reader = newRegistryReader();
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// compiled turns a cosign public key into what the policy compiler would hand us.
function compiled(key: CosignKey): CompiledPublicKey {
  return compileKey(createPublicKey(key.publicPem));
}

// authorityFor builds a one-key authority.
function authorityFor(key: CosignKey): CompiledCosignAuthority {
  return {
    kind: 'cosign',
    referenceBound: false,
    name: `key-${key.type}`,
    keys: [compiled(key)],
    tlog: { required: false, rekorKeys: [] },
    attestations: [],
  };
}

// verifyImage resolves `host/repo:reference` with the real client, then runs the verifier on that digest.
async function verifyImage(host: string, repo: string, reference: string, key: CosignKey): Promise<Evidence> {
  const { target, ctx } = await resolveForVerifier(reader, host, repo, reference);
  return cosignVerifier.verify(target, authorityFor(key), ctx);
}

// expectDenied checks the error class, code, the reason, and that details name the digest and authority.
async function expectDenied(
  p: Promise<Evidence>,
  code: string,
  digest: string,
  message?: RegExp,
): Promise<void> {
  await expect(p).rejects.toThrowWithCode(code, {
    instanceOf: VerifyError,
    details: { digest, authority: expect.stringMatching(/^key-/) },
    ...(message ? { message } : {}),
  });
}

interface Format {
  readonly name: string;
  readonly host: () => string;
  readonly sign: (key: CosignKey, ref: string) => Promise<void>;
}

const V3: Format = {
  name: 'cosign v3 bundle on the referrers registry',
  host: () => harness.referrers.host,
  sign: (key, ref) => signV3(cosign, dir, key, ref),
};
const V2: Format = {
  name: 'cosign v2 .sig on distribution',
  host: () => harness.distribution.host,
  sign: (key, ref) => signV2(cosign2, dir, key, ref),
};
const V3_FALLBACK: Format = {
  name: 'cosign v3 bundle on distribution (sha256-<hex> tag fallback)',
  host: () => harness.distribution.host,
  sign: (key, ref) => signV3(cosign, dir, key, ref),
};

// freshImage pushes a unique image to its own repository.
async function freshImage(
  format: Format,
  label: string,
): Promise<{ host: string; repo: string; image: PushedImage }> {
  const host = format.host();
  const repo = `cosign-it/${label}-${Math.random().toString(36).slice(2, 8)}`;
  return { host, repo, image: await pushRandomImage(host, repo, 'v1') };
}

describe.each([V3, V2])('$name', (format) => {
  it.each(KEY_TYPES)('admits an image signed with a %s key', async (type) => {
    const { host, repo, image } = await freshImage(format, type);
    await format.sign(keys[type], image.ref);
    const evidence = await verifyImage(host, repo, 'v1', keys[type]);
    expect(evidence.summary).toMatch(
      format === V3 ? /^cosign bundle sha256:/ : /^cosign legacy signature sha256-.*\.sig layer 1/,
    );
    expect(evidence.summary).toContain(compiled(keys[type]).id);
  });

  it('denies an unsigned image', async () => {
    const { host, repo, image } = await freshImage(format, 'unsigned');
    await expectDenied(
      verifyImage(host, repo, 'v1', keys.p256),
      'VERIFY_NO_SIGNATURES',
      image.digest,
      /\.sig/,
    );
  });

  it('denies an image signed by another key', async () => {
    const { host, repo, image } = await freshImage(format, 'other-key');
    await format.sign(other, image.ref);
    await expectDenied(
      verifyImage(host, repo, 'v1', keys.p256),
      'VERIFY_SIGNATURE_INVALID',
      image.digest,
      /signed by another key/,
    );
  });

  it('denies when the tag was moved to an unsigned image after signing', async () => {
    const { host, repo, image } = await freshImage(format, 'moved');
    await format.sign(keys.p256, image.ref);
    await expect(verifyImage(host, repo, 'v1', keys.p256)).resolves.toMatchObject({ scheme: 'cosign' });
    const moved = await pushRandomImage(host, repo, 'v1');
    await expectDenied(verifyImage(host, repo, 'v1', keys.p256), 'VERIFY_NO_SIGNATURES', moved.digest);
    await expect(verifyImage(host, repo, image.digest, keys.p256)).resolves.toMatchObject({
      scheme: 'cosign',
    });
  });
});

describe(V3_FALLBACK.name, () => {
  it.each(['p256', 'ed25519'] as const)('admits an image signed with a %s key', async (type) => {
    const { host, repo, image } = await freshImage(V3_FALLBACK, `fallback-${type}`);
    await V3_FALLBACK.sign(keys[type], image.ref);
    await expect(verifyImage(host, repo, 'v1', keys[type])).resolves.toMatchObject({
      summary: expect.stringMatching(/^cosign bundle/),
    });
  });
});

describe('tampered and copied cosign v3 bundles', () => {
  it('denies a bundle whose DSSE payload was changed after signing', async () => {
    const { host, repo, image } = await freshImage(V3, 'tampered-bundle');
    await V3.sign(keys.p256, image.ref);
    const original = await bundleOf(host, repo, image.digest);
    const envelope = original.bundle['dsseEnvelope'] as { payload: string };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >;
    const tampered = { ...statement, predicate: { injected: true } };
    const bundle = {
      ...original.bundle,
      dsseEnvelope: { ...envelope, payload: Buffer.from(JSON.stringify(tampered)).toString('base64') },
    };
    await deleteManifest(host, repo, original.digest);
    await pushBundleReferrer(host, repo, original.manifest, bundle, image);
    await expectDenied(
      verifyImage(host, repo, 'v1', keys.p256),
      'VERIFY_SIGNATURE_INVALID',
      image.digest,
      /tampered payload/,
    );
  });

  it('denies a bundle copied from another image', async () => {
    const { host, repo, image: signed } = await freshImage(V3, 'copied-bundle');
    await V3.sign(keys.p256, signed.ref);
    const victim = await pushRandomImage(host, repo, 'v2');
    const original = await bundleOf(host, repo, signed.digest);
    await pushBundleReferrer(host, repo, original.manifest, original.bundle, victim);
    await expectDenied(
      verifyImage(host, repo, 'v2', keys.p256),
      'VERIFY_DIGEST_MISMATCH',
      victim.digest,
      new RegExp(`signature is for ${signed.digest} not ${victim.digest}`),
    );
  });

  it('does not count a cosign attest attestation as a signature', async () => {
    const { host, repo, image } = await freshImage(V3, 'attested');
    await attestV3(cosign, dir, keys.p256, image.ref);
    await expectDenied(
      verifyImage(host, repo, 'v1', keys.p256),
      'VERIFY_PREDICATE_MISMATCH',
      image.digest,
      /attestation/,
    );
  });
});

describe('tampered and copied cosign v2 .sig signatures', () => {
  it('denies a .sig whose payload was changed after signing', async () => {
    const { host, repo, image } = await freshImage(V2, 'tampered-sig');
    await V2.sign(keys.p256, image.ref);
    const manifest = await getManifest(host, repo, sigTag(image.digest));
    const layer = manifest.layers[0] as Manifest['layers'][number];
    const payload = (await getBlob(host, repo, layer.digest))
      .toString('utf8')
      .replace('"optional":null', '"optional":{"x":"y"}');
    const bytes = Buffer.from(payload);
    const digest = await putBlob(host, repo, bytes);
    await putManifest(host, repo, sigTag(image.digest), {
      ...manifest,
      layers: [{ ...layer, digest, size: bytes.length }],
    });
    await expectDenied(
      verifyImage(host, repo, 'v1', keys.p256),
      'VERIFY_SIGNATURE_INVALID',
      image.digest,
      /payload was altered/,
    );
  });

  it('denies a .sig copied from another image', async () => {
    const { host, repo, image: signed } = await freshImage(V2, 'copied-sig');
    await V2.sign(keys.p256, signed.ref);
    const victim = await pushRandomImage(host, repo, 'v2');
    await putManifest(
      host,
      repo,
      sigTag(victim.digest),
      await getManifest(host, repo, sigTag(signed.digest)),
    );
    await expectDenied(
      verifyImage(host, repo, 'v2', keys.p256),
      'VERIFY_DIGEST_MISMATCH',
      victim.digest,
      new RegExp(`signature is for ${signed.digest} not ${victim.digest}`),
    );
  });

  it('does not count a cosign v2 attestation (.att) as a signature', async () => {
    const { host, repo, image } = await freshImage(V2, 'attested-v2');
    await attestV2(cosign2, dir, keys.p256, image.ref);
    await expectDenied(verifyImage(host, repo, 'v1', keys.p256), 'VERIFY_NO_SIGNATURES', image.digest);
  });
});
