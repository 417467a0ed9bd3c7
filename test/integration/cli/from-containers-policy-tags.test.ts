// `repository:tag` scopes on real images, modelled on Confidential Containers' image-rs policy
// (test/fixtures/migration/containers-policy/image-rs-simple-signing-security-policy.json): the repository needs a
// GPG simple signature, except its tag `cosign-signed`, which needs a cosign signature only. containers/image
// lets the most specific scope alone decide, so the converted repository policy excludes that tag
// (excludeImages with tags) and `portcullis verify` decides each image as containers/image does: the real
// containers/image (test/harness/containers-policy-oracle.ts, sigstore compiled in) decides every tag too, and
// Debian's skopeo the GPG ones (its build cannot evaluate sigstoreSigned; see from-containers-policy.test.ts).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  containersImageAllows,
  containersImageDecision,
  skopeoAllows as skopeoCopyAllows,
} from '../../harness/containers-policy-oracle';
import { convertInto, decide } from '../../harness/round-trip';
import { cosignSign, generateCosignKey } from '../../harness/cosign';
import { loadHarness } from '../../harness/env';
import { pushRandomImage, TOOL_TIMEOUT_MS } from '../../harness/images';
import {
  createGpgSigner,
  skopeoCopy,
  startLookaside,
  type GpgSigner,
  type Lookaside,
} from '../../harness/simple-signing';
import { tool } from '../../harness/tools';

const execFileP = promisify(execFile);
const h = loadHarness();
const host = h.distribution.host;
const repo = `${host}/coco/confidential-containers`;
let dir: string;
let gpg: GpgSigner;
let lookaside: Lookaside;
let policyFile: string;
let policyDir: string;
const digests: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cp-tags-'));
  const [release, rogue] = await Promise.all([generateCosignKey(), generateCosignKey()]);
  [gpg, lookaside] = await Promise.all([createGpgSigner('coco-release', 'ed25519'), startLookaside()]);
  const keyDir = path.join(dir, 'keys');
  await mkdir(keyDir);
  await writeFile(path.join(keyDir, 'cosign.pub'), release.publicKeyPem);
  await writeFile(path.join(keyDir, 'pubkey.gpg'), gpg.publicKey);
  const [cosigned, rogueSigned] = await Promise.all([
    pushRandomImage(host, 'coco/confidential-containers', 'cosign-signed'),
    pushRandomImage(host, 'coco/confidential-containers', 'cosign-signed-key2'),
    pushRandomImage(host, 'coco/src', 'v1'),
  ]);
  await cosignSign(release, cosigned.ref, 'legacy');
  await cosignSign(rogue, rogueSigned.ref, 'legacy');
  digests.cosigned = cosigned.digest;
  await skopeoCopy(`${host}/coco/src:v1`, `${repo}:gpg`, lookaside, gpg);
  await skopeoCopy(`${host}/coco/src:v1`, `${repo}:unsigned`, lookaside);
  policyFile = path.join(dir, 'policy.json');
  const cosignRule = (key: string) => [
    { type: 'sigstoreSigned', keyPath: key, signedIdentity: { type: 'matchRepository' } },
  ];
  await writeFile(
    policyFile,
    JSON.stringify({
      default: [{ type: 'insecureAcceptAnything' }],
      transports: {
        docker: {
          [repo]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: `${keyDir}/pubkey.gpg` }],
          [`${repo}:cosign-signed`]: cosignRule(`${keyDir}/cosign.pub`),
          [`${repo}:cosign-signed-key2`]: cosignRule(`${keyDir}/cosign.pub`),
        },
      },
    }),
  );
  const converted = await convertInto('from-containers-policy', policyFile, [
    '--no-match',
    'allow',
    '--lookaside',
    lookaside.url,
  ]);
  expect(converted.run.code).toBe(0);
  policyDir = converted.policyDir;
}, 240_000);

afterAll(async () => {
  await Promise.all([gpg?.cleanup(), lookaside?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

// skopeoAllows is the second oracle, for the GPG cases (see the harness).
function skopeoAllows(image: string): Promise<boolean> {
  return skopeoCopyAllows(policyFile, image, { lookasideDir: lookaside.dir });
}

describe('from-containers-policy with repository:tag scopes (Confidential Containers image-rs)', () => {
  it('converts the tag scopes into tag-limited policies that the repository policy excludes', async () => {
    const names = await readdir(policyDir);
    const texts = await Promise.all(names.map((n) => readFile(path.join(policyDir, n), 'utf8')));
    const all = texts.join('\n');
    expect(all).toMatch(/excludeImages:\s+- glob: \S+\s+tags:\s+- cosign-signed\n/);
    expect(all).toMatch(/images:\s+- glob: \S+confidential-containers\s+tags:\s+- cosign-signed-key2\n/);
  });

  // [reference, allowed, also checked against Debian's skopeo]: every row is checked against containers/image.
  it.each([
    ['gpg', true, true], // the repository scope: its GPG signature
    ['unsigned', false, true], // the repository scope: no signature
    ['cosign-signed', true, false], // the tag scope alone: cosign, no GPG signature needed
    ['cosign-signed-key2', false, false], // the tag scope alone: signed, but by another key
  ])(
    '%s: allowed=%s (skopeo too: %s)',
    async (tag, allowed, skopeoToo) => {
      const image = `${repo}:${tag}`;
      const [decision] = await decide(
        policyDir,
        [image],
        ['--insecure-registry', host, '--no-match', 'allow'],
      );
      const containersImage = await containersImageAllows(policyFile, image, {
        lookasideDir: lookaside.dir,
        useSigstoreAttachments: true,
      });
      expect({ tag, containersImage, portcullis: decision?.allowed }).toEqual({
        tag,
        containersImage: allowed,
        portcullis: allowed,
      });
      if (skopeoToo) expect(await skopeoAllows(image)).toBe(allowed);
    },
    120_000,
  );

  it('the pinned form of the tag is judged like the tag, while the tag names that digest', async () => {
    const pinned = `${repo}:cosign-signed@${digests.cosigned}`;
    const [decision] = await decide(
      policyDir,
      [pinned],
      ['--insecure-registry', host, '--no-match', 'allow'],
    );
    expect(decision?.allowed).toBe(true);
    // containers/image has no decision to compare: its docker transport refuses a tag with a digest.
    await expect(containersImageDecision(policyFile, pinned)).rejects.toThrow(/both a tag and digest/);
  }, 60_000);

  it('the tag written next to another digest does not lift the repository policy', async () => {
    const decoy = `${repo}:cosign-signed@${await digestOf('unsigned')}`;
    const [decision] = await decide(policyDir, [decoy], ['--insecure-registry', host, '--no-match', 'allow']);
    expect(decision?.allowed).toBe(false);
    expect(decision?.message).toContain('its excludeImages entry for tag "cosign-signed" did not apply');
  }, 60_000);
});

// digestOf reads the digest a tag of the repository names now, with skopeo.
async function digestOf(tag: string): Promise<string> {
  const { stdout } = await execFileP(
    tool('skopeo'),
    ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${repo}:${tag}`],
    { timeout: TOOL_TIMEOUT_MS },
  );
  return stdout.trim();
}
