// `portcullis policy from-containers-policy` round trip on real images: a policy.json with a host scope, repository
// scopes (sigstoreSigned with a real cosign key, signedBy with a real GPG key and skopeo-made lookaside signatures)
// and reject/insecureAcceptAnything is converted, and `portcullis verify` decides each image. The oracle is the real
// containers/image (go.podman.io/image/v5, sigstore compiled in: test/harness/containers-policy-oracle.ts) deciding
// the same image under the same policy.json, so "decides like containers/image" is measured, not assumed. Scope
// lookup per containers-policy.json(5): the most specific scope alone decides. Debian's skopeo (1.9.3 here) is
// built with sigstore verification disabled, so it is a second oracle for signedBy, reject and scope precedence only.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  containersImageAllows,
  containersImageDecision,
  skopeoAllows as skopeoCopyAllows,
} from '../../harness/containers-policy-oracle';
import { convertInto, decide } from '../../harness/round-trip';
import { cosignSign, generateCosignKey } from '../../harness/cosign';
import { loadHarness } from '../../harness/env';
import { pushRandomImage } from '../../harness/images';
import {
  createGpgSigner,
  skopeoCopy,
  startLookaside,
  type GpgSigner,
  type Lookaside,
} from '../../harness/simple-signing';

const h = loadHarness();
const host = h.distribution.host;
let dir: string;
let gpg: GpgSigner;
let lookaside: Lookaside;
const images: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-from-containers-policy-'));
  const [release, rogue] = await Promise.all([generateCosignKey(), generateCosignKey()]);
  [gpg, lookaside] = await Promise.all([createGpgSigner('cp-release', 'ed25519'), startLookaside()]);
  await mkdir(path.join(dir, 'keys'));
  await writeFile(path.join(dir, 'keys', 'cosign.pub'), release.publicKeyPem);
  await writeFile(path.join(dir, 'keys', 'pubkey.gpg'), gpg.publicKey);
  // cosign: legacy .sig attachments, which containers/image reads with use-sigstore-attachments.
  const push = (repo: string) => pushRandomImage(host, repo, 'v1');
  const [signed, unsigned, wrong, other, exact] = await Promise.all([
    push('cp/cosign/signed'),
    push('cp/cosign/unsigned'),
    push('cp/cosign/wrong'),
    push('cp/other/app'),
    push('cp/exact/app'),
  ]);
  await cosignSign(release, signed.ref, 'legacy');
  await cosignSign(rogue, wrong.ref, 'legacy');
  // cosign v2 signs the repository without the tag as its docker-reference.
  await cosignSign(release, exact.ref, 'legacy');
  Object.assign(images, { signed: signed.ref, unsigned: unsigned.ref, wrong: wrong.ref, other: other.ref });
  Object.assign(images, { exactTag: exact.ref, exactDigest: `${host}/cp/exact/app@${exact.digest}` });
  // GPG simple signing: skopeo --sign-by stages signature-1 in the lookaside folder.
  await push('cp/src/a');
  await skopeoCopy(`${host}/cp/src/a:v1`, `${host}/cp/gpg/signed:v1`, lookaside, gpg);
  await skopeoCopy(`${host}/cp/src/a:v1`, `${host}/cp/gpg/unsigned:v1`, lookaside);
  images.gpgSigned = `${host}/cp/gpg/signed:v1`;
  images.gpgUnsigned = `${host}/cp/gpg/unsigned:v1`;
}, 240_000);

afterAll(async () => {
  await Promise.all([gpg?.cleanup(), lookaside?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

// policyJson writes a policy.json naming the test's key files.
async function policyJson(name: string, policy: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(policy, null, 2));
  return file;
}

// skopeoAllows is the second oracle (see the harness), with this file's signature sources.
function skopeoAllows(policy: string, image: string): Promise<boolean> {
  return skopeoCopyAllows(policy, image, { lookasideDir: lookaside.dir, useSigstoreAttachments: true });
}

// oracleAllows is the oracle: containers/image deciding the image, with this file's signature sources.
function oracleAllows(policy: string, image: string): Promise<boolean> {
  return containersImageAllows(policy, image, { lookasideDir: lookaside.dir, useSigstoreAttachments: true });
}

describe('from-containers-policy round trip, --no-match deny (default and host reject)', () => {
  let file: string;
  let policyDir: string;

  beforeAll(async () => {
    file = await policyJson('locked.json', {
      default: [{ type: 'reject' }],
      transports: {
        docker: {
          // The host scope rejects; the more specific repository scopes below decide their own images.
          [host]: [{ type: 'reject' }],
          [`${host}/cp/cosign`]: [
            {
              type: 'sigstoreSigned',
              keyPath: '/run/image-security/cosign/cosign.pub',
              signedIdentity: { type: 'matchRepository' },
            },
          ],
          // No signedIdentity: matchRepoDigestOrExact, containers/image's default.
          [`${host}/cp/exact`]: [
            { type: 'sigstoreSigned', keyPath: '/run/image-security/cosign/cosign.pub' },
          ],
          [`${host}/cp/gpg`]: [
            {
              type: 'signedBy',
              keyType: 'GPGKeys',
              keyPath: '/run/image-security/simple_signing/pubkey.gpg',
            },
          ],
        },
        'docker-daemon': { '': [{ type: 'insecureAcceptAnything' }] },
      },
    });
    const keyDir = path.join(dir, 'keys');
    const converted = await convertInto('from-containers-policy', file, [
      '--key-dir',
      keyDir,
      '--lookaside',
      lookaside.url,
    ]);
    expect(converted.run.stderr).toContain('docker-daemon');
    expect(converted.run.code).toBe(0);
    policyDir = converted.policyDir;
    // skopeo reads keyPath literally: give it the same policy with the key files where they are on this machine.
    const text = (await import('node:fs'))
      .readFileSync(file, 'utf8')
      .replaceAll(/\/run\/image-security\/[a-z_]+\//g, `${keyDir}/`);
    await writeFile(file, text);
  }, 120_000);

  // [image, allowed, also checked against Debian's skopeo]: every row is checked against containers/image.
  it.each([
    ['signed', true, false],
    ['unsigned', false, false],
    ['wrong', false, false],
    // cosign v2 signed `…/cp/exact/app` (no tag): matchRepoDigestOrExact refuses a name-only docker-reference
    // for every image, by tag or by digest (policy_reference_match.go: IsNameOnly(signature)).
    ['exactTag', false, false],
    ['exactDigest', false, false],
    ['gpgSigned', true, true],
    ['gpgUnsigned', false, true],
    ['other', false, true], // the host scope rejects: no repository scope is more specific
  ])(
    '%s: allowed=%s (skopeo too: %s)',
    async (which, allowed, skopeoToo) => {
      const image = images[which] ?? '';
      const [decision] = await decide(policyDir, [image], ['--insecure-registry', host]);
      const containersImage = await oracleAllows(file, image);
      expect({ which, containersImage, portcullis: decision?.allowed }).toEqual({
        which,
        containersImage: allowed,
        portcullis: allowed,
      });
      if (skopeoToo) expect(await skopeoAllows(file, image)).toBe(allowed);
    },
    120_000,
  );

  it('denies a cosign v2 signature under the default signedIdentity for the same reason as containers/image', async () => {
    const image = images.exactDigest ?? '';
    const [decision] = await decide(policyDir, [image], ['--insecure-registry', host]);
    const oracle = await containersImageDecision(file, image, { useSigstoreAttachments: true });
    expect(oracle.reason).toContain(`Signature for identity "${host}/cp/exact/app" is not accepted`);
    expect(decision?.message).toContain('matchRepoDigestOrExact');
  }, 60_000);
});

describe('from-containers-policy round trip, --no-match allow (default insecureAcceptAnything)', () => {
  it('admits images outside the verified scope and verifies those inside, as containers/image decides', async () => {
    const keyDir = path.join(dir, 'keys');
    const file = await policyJson('open.json', {
      default: [{ type: 'insecureAcceptAnything' }],
      transports: {
        docker: {
          [`${host}/cp/cosign`]: [
            {
              type: 'sigstoreSigned',
              keyPath: `${keyDir}/cosign.pub`,
              signedIdentity: { type: 'matchRepository' },
            },
          ],
        },
      },
    });
    const converted = await convertInto('from-containers-policy', file, ['--no-match', 'allow']);
    expect(converted.run.code).toBe(0);
    const order = ['other', 'signed', 'unsigned'] as const;
    const decisions = await decide(
      converted.policyDir,
      order.map((k) => images[k] ?? ''),
      ['--insecure-registry', host, '--no-match', 'allow'],
    );
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    const oracle = await Promise.all(order.map((k) => oracleAllows(file, images[k] ?? '')));
    expect(oracle).toEqual([true, true, false]);
  }, 180_000);

  it('refuses it under --no-match deny, naming the default', async () => {
    const file = await policyJson('open-deny.json', { default: [{ type: 'insecureAcceptAnything' }] });
    const converted = await convertInto('from-containers-policy', file);
    expect(converted.run.code).toBe(2);
    expect(converted.run.stderr).toContain('POLICY_CONVERT_UNMAPPABLE');
  }, 60_000);
});
