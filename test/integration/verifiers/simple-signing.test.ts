// simpleSigningVerifier against real GPG simple signatures: `skopeo copy --sign-by` with a throwaway GnuPG key
// signs images copied into distribution 2.8, stages the signatures in a file:// lookaside, and a loopback HTTP
// server publishes that folder. Every case of docs/simple-signing.md is decided on real bytes.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { inflateRawSync, inflateSync } from 'node:zlib';
import pino from 'pino';
import { stringify } from 'yaml';
import type { CompiledSimpleSigningAuthority } from '../../../src/policy/compile/compiled.types';
import type { SignedIdentity } from '../../../src/policy/crd/simple-signing.types';
import type { FieldError } from '../../../src/policy/errors';
import { compileSimpleSigningAuthority } from '../../../src/policy/authorities/simple-signing';
import { parseImageReference } from '../../../src/reference';
import type { RegistryReader } from '../../../src/registry/registry.types';
import { simpleSigningVerifier } from '../../../src/verifiers/simple-signing/verifier';
import type { Evidence, VerifyContext, VerifyTarget } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, retag } from '../../harness/images';
import {
  copySignature,
  createGpgSigner,
  skopeoCopy,
  startLookaside,
  type GpgSigner,
  type Lookaside,
} from '../../harness/simple-signing';
import { admissionReview, admitThroughBoth, buildTestWebhook, podObject } from '../../harness/webhook';
import { newRegistryReader } from './registry-reader';

const h = loadHarness();
const host = h.distribution.host;
let release: GpgSigner;
let stranger: GpgSigner;
let revoked: GpgSigner;
let revokedKey: string;
let lookaside: Lookaside;
let reader: RegistryReader;
const digests: Record<string, string> = {};

beforeAll(async () => {
  [release, stranger, revoked, lookaside] = await Promise.all([
    createGpgSigner('release', 'rsa'),
    createGpgSigner('stranger', 'ed25519'),
    createGpgSigner('revoked', 'ed25519'),
    startLookaside(),
  ]);
  reader = newRegistryReader();
  for (const name of ['a', 'b', 'c'])
    digests[name] = (await pushRandomImage(host, `src/${name}`, 'v1')).digest;
  const copy = (from: string, to: string, signer?: GpgSigner) =>
    skopeoCopy(`${host}/src/${from}:v1`, `${host}/${to}`, lookaside, signer);
  await copy('a', 'team/app:v1', release); // identity <host>/team/app:v1, digest A
  await retag(host, 'team/app', digests.a ?? '', 'v2'); // same digest, tag never signed
  await copy('a', 'mirror/app:v1'); // same digest A under another repository, no signature of its own
  await copySignature(sig('team/app', 'a'), sig('mirror/app', 'a'));
  await copy('b', 'team/other:v1', stranger); // signed, by a key the policy does not trust
  await copy('b', 'team/unsigned:v1');
  await skopeoCopy(`${host}/src/b:v1`, `${host}/team/attach:v1`, lookaside, release, {
    useSigstoreAttachments: true,
  });
  await copy('b', 'team/replay:v1'); // digest B, carrying team/app's signature for digest A
  await copySignature(sig('team/app', 'a'), sig('team/replay', 'b'));
  await copy('c', 'team/tampered:v1', release);
  await copy('c', 'team/edited:v1', release);
  await tamperCompressed(sig('team/tampered', 'c'));
  await editPayload(sig('team/edited', 'c'), digests.c ?? '', digests.a ?? '');
  await copy('c', 'team/revoked:v1', revoked); // signed, then the key is revoked (its export carries the revocation)
  revokedKey = await revoked.revoke();
  // team/multi: signature-1 by the stranger, signature-2 by the release key.
  await copy('c', 'team/multi:v1', release);
  await rename(sig('team/multi', 'c'), `${sig('team/multi', 'c')}.release`);
  await copy('c', 'team/multi:v1', stranger);
  await rename(`${sig('team/multi', 'c')}.release`, sig('team/multi', 'c', 2));
}, 240_000);

afterAll(async () => {
  await Promise.all([release?.cleanup(), stranger?.cleanup(), revoked?.cleanup(), lookaside?.stop()]);
});

// sig is the lookaside path of an image's n-th signature.
function sig(repository: string, image: string, n = 1): string {
  return lookaside.file(repository, digests[image] ?? '', n);
}

// tamperCompressed flips one byte inside the compressed packet of a signature file.
async function tamperCompressed(file: string): Promise<void> {
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await writeFile(file, bytes);
}

// editPayload rewrites the signed JSON (one digest for another, same length) inside the decompressed packets and
// keeps gpg's one-pass-signature and signature packets: a valid OpenPGP message whose signature no longer matches.
async function editPayload(file: string, from: string, to: string): Promise<void> {
  const bytes = await readFile(file);
  // gpg writes an old-format compressed-data packet (tag 8) of indeterminate length: the body is the rest.
  expect(bytes[0]).toBe(0xa3);
  const algorithm = bytes[1];
  const packed = bytes.subarray(2);
  const packets =
    algorithm === 1 ? inflateRawSync(packed) : algorithm === 2 ? inflateSync(packed) : undefined;
  if (!packets) throw new Error(`unexpected compression algorithm ${algorithm}`);
  const text = packets.toString('latin1');
  expect(text).toContain(from);
  await writeFile(file, Buffer.from(text.replace(from, to), 'latin1'));
}

// authority compiles a simpleSigning authority as a policy would.
function authority(
  signedIdentity?: SignedIdentity,
  keys = [release.publicKey],
): CompiledSimpleSigningAuthority {
  const errors: FieldError[] = [];
  const spec = {
    keys: keys.map((data) => ({ data })),
    lookaside: lookaside.url,
    ...(signedIdentity ? { signedIdentity } : {}),
  };
  const a = compileSimpleSigningAuthority(
    'gpg',
    spec,
    'spec.authorities[0].simpleSigning',
    () => undefined,
    errors,
  );
  expect(errors).toEqual([]);
  return a;
}

// run verifies `image` (as a pod names it, under the harness registry) against `a`.
async function run(image: string, a: CompiledSimpleSigningAuthority, now = new Date()): Promise<Evidence> {
  const ref = parseImageReference(`${host}/${image}`);
  const request = { deadline: Date.now() + 30_000, credentials: { lookup: () => undefined } };
  const repo = { registry: ref.registry, repository: ref.repository };
  const descriptor = await reader.resolve(repo, ref.digest ?? ref.tag ?? 'latest', request);
  const target: VerifyTarget = {
    ref,
    repo,
    digest: descriptor.digest,
    descriptor: () => Promise.resolve(descriptor),
  };
  const ctx: VerifyContext = {
    registry: reader,
    request,
    now: () => now,
    logger: pino({ level: 'silent' }),
  };
  return simpleSigningVerifier.verify(target, a, ctx);
}

// failure returns the code and message a refused verification threw.
async function failure(
  image: string,
  a: CompiledSimpleSigningAuthority,
): Promise<{ code: string; message: string }> {
  const e = await run(image, a).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeDefined();
  return e as { code: string; message: string };
}

test('skopeo staged signature-1 where containers/image reads it', async () => {
  const bytes = await readFile(sig('team/app', 'a'));
  expect([0xa3, 0xa0, 0xa1, 0xa2, 0xc8]).toContain(bytes[0]); // an OpenPGP compressed-data packet
});

test('with use-sigstore-attachments, skopeo still writes GPG signatures to the lookaside, never as attachments', async () => {
  const tags = (await (await fetch(`http://${host}/v2/team/attach/tags/list`)).json()) as { tags: string[] };
  expect(tags.tags).toEqual(['v1']); // no sha256-<hex>.sig attachment tag
  await expect(readFile(sig('team/attach', 'b'))).resolves.toBeInstanceOf(Buffer);
  await expect(run('team/attach:v1', authority())).resolves.toMatchObject({ scheme: 'simpleSigning' });
});

test('a signed image is admitted, by tag and by digest, naming the key and identity', async () => {
  const byTag = await run('team/app:v1', authority());
  expect(byTag.summary).toBe(
    `simple signing signature-1 by GPG key ${release.fingerprint} for "${host}/team/app:v1"`,
  );
  await expect(run(`team/app@${digests.a}`, authority())).resolves.toMatchObject({ scheme: 'simpleSigning' });
  await expect(run(`team/app:v1@${digests.a}`, authority())).resolves.toMatchObject({ authority: 'gpg' });
});

test('an unsigned image: VERIFY_NO_SIGNATURES, with the skopeo command', async () => {
  const e = await failure('team/unsigned:v1', authority());
  expect(e.code).toBe('VERIFY_NO_SIGNATURES');
  expect(e.message).toContain(`skopeo copy --sign-by ${release.fingerprint}`);
  expect(e.message).toContain(
    `${lookaside.url}/team/unsigned@${(digests.b ?? '').replace(':', '=')}/signature-1`,
  );
});

test('signed by another key: VERIFY_KEY_NOT_TRUSTED; the same signature passes when that key is trusted', async () => {
  const e = await failure('team/other:v1', authority());
  expect(e.code).toBe('VERIFY_KEY_NOT_TRUSTED');
  expect(e.message).toContain(release.fingerprint);
  const both = authority(undefined, [release.publicKey, stranger.publicKey]);
  await expect(run('team/other:v1', both)).resolves.toMatchObject({
    summary: expect.stringContaining(stranger.fingerprint),
  });
});

test('a key revoked after signing: VERIFY_KEY_NOT_TRUSTED; the same key before revocation verifies', async () => {
  const e = await failure('team/revoked:v1', authority(undefined, [revokedKey]));
  expect(e.code).toBe('VERIFY_KEY_NOT_TRUSTED');
  expect(e.message).toMatch(/revoked/i);
  await expect(run('team/revoked:v1', authority(undefined, [revoked.publicKey]))).resolves.toMatchObject({
    summary: expect.stringContaining(revoked.fingerprint),
  });
});

test('a signature for another digest (replayed): VERIFY_DIGEST_MISMATCH', async () => {
  const e = await failure('team/replay:v1', authority({ type: 'matchRepository' }));
  expect(e.code).toBe('VERIFY_DIGEST_MISMATCH');
  expect(e.message).toContain(`for digest ${digests.a}`);
});

test.each([
  ['team/tampered:v1', 'a flipped byte in the compressed message'],
  ['team/edited:v1', 'the signed JSON edited (another digest), signature packets kept'],
])('a tampered signature (%s, %s): VERIFY_SIGNATURE_INVALID', async (image) => {
  const e = await failure(image, authority({ type: 'matchRepository' }));
  expect(e.code).toBe('VERIFY_SIGNATURE_INVALID');
});

test('a signature up to a minute newer than the webhook clock counts (clock skew), one made later does not', async () => {
  const seconds = (n: number) => new Date(Date.now() - n * 1000);
  await expect(run('team/app:v1', authority(), seconds(30))).resolves.toMatchObject({
    scheme: 'simpleSigning',
  });
  await expect(run('team/app:v1', authority(), seconds(600))).rejects.toMatchObject({
    code: 'VERIFY_SIGNATURE_INVALID',
    message: expect.stringContaining('creation time is in the future'),
  });
});

test('signature-2 is read when signature-1 does not verify', async () => {
  const evidence = await run('team/multi:v1', authority());
  expect(evidence.summary).toContain(`signature-2 by GPG key ${release.fingerprint}`);
});

describe('signedIdentity: the signature names <host>/team/app:v1', () => {
  const mirror = 'mirror/app:v1';
  test.each<[string, SignedIdentity | undefined, string, boolean]>([
    ['matchRepoDigestOrExact', undefined, 'team/app:v1', true],
    ['matchRepoDigestOrExact', undefined, 'team/app:v2', false],
    ['matchRepoDigestOrExact', undefined, mirror, false],
    ['matchExact', { type: 'matchExact' }, 'team/app:v1', true],
    ['matchExact', { type: 'matchExact' }, 'team/app@DIGEST_A', false],
    ['matchRepository', { type: 'matchRepository' }, 'team/app:v2', true],
    ['matchRepository', { type: 'matchRepository' }, mirror, false],
    ['exactReference', { type: 'exactReference', dockerReference: 'HOST/team/app:v1' }, mirror, true],
    ['exactReference', { type: 'exactReference', dockerReference: 'HOST/team/app:v2' }, 'team/app:v1', false],
    ['exactRepository', { type: 'exactRepository', dockerRepository: 'HOST/team/app' }, mirror, true],
    [
      'exactRepository',
      { type: 'exactRepository', dockerRepository: 'HOST/team/other' },
      'team/app:v1',
      false,
    ],
    [
      'remapIdentity',
      { type: 'remapIdentity', prefix: 'HOST/mirror', signedPrefix: 'HOST/team' },
      mirror,
      true,
    ],
    [
      'remapIdentity',
      { type: 'remapIdentity', prefix: 'HOST/mirror', signedPrefix: 'HOST/elsewhere' },
      mirror,
      false,
    ],
  ])('%s %j, pod image %s: admitted=%s', async (_kind, identity, image, admitted) => {
    const fill = (s: string) => s.replaceAll('HOST', host).replace('DIGEST_A', digests.a ?? '');
    const rule = identity && (JSON.parse(fill(JSON.stringify(identity))) as SignedIdentity);
    const a = authority(rule);
    if (admitted) {
      await expect(run(fill(image), a)).resolves.toMatchObject({ scheme: 'simpleSigning' });
    } else {
      const e = await failure(fill(image), a);
      expect(e.code).toBe('VERIFY_IDENTITY_MISMATCH');
      expect(e.message).toContain(`"${host}/team/app:v1"`);
    }
  });
});

describe('through the webhook (/mutate pins the tag, /validate judges name:tag@digest)', () => {
  // policyYaml is a ClusterImagePolicy with one simpleSigning authority for the harness registry's team/ images.
  const policyYaml = () =>
    stringify({
      apiVersion: 'portcullis.dev/v1alpha1',
      kind: 'ClusterImagePolicy',
      metadata: { name: 'gpg' },
      spec: {
        images: [{ glob: `${host}/team/**` }],
        authorities: [
          {
            name: 'release',
            simpleSigning: { keys: [{ data: release.publicKey }], lookaside: lookaside.url },
          },
        ],
      },
    });

  test.each([
    ['team/app:v1', true, undefined],
    [
      'team/app:v2',
      false,
      /VERIFY_IDENTITY_MISMATCH|which signedIdentity matchRepoDigestOrExact does not accept/,
    ],
    ['team/unsigned:v1', false, /no simple-signing signature/],
    ['team/other:v1', false, /not by a key of this authority/],
  ] as const)('%s: allowed=%s', async (image, allowed, pattern) => {
    const hook = await buildTestWebhook({ 'gpg.yaml': policyYaml() });
    try {
      const r = await admitThroughBoth(hook.app, admissionReview(podObject({ app: `${host}/${image}` })));
      expect(r.allowed).toBe(allowed);
      if (pattern) expect(r.status?.message ?? '').toMatch(pattern);
    } finally {
      await hook.app.close();
    }
  });
});
