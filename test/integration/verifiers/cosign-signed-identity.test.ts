// A cosign authority with signedIdentity against a real registry and real cosign v2 legacy signatures: the
// signed docker-reference is compared with the image, so a signature copied with its image to another
// repository stops counting under matchRepository, while a cosign v3 bundle never counts.
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  CompiledCosignAuthority,
  CompiledSignedIdentity,
} from '../../../src/policy/compile/compiled.types';
import { cosignVerifier } from '../../../src/verifiers/cosign/verifier';
import { VerifyError } from '../../../src/verifiers/errors';
import type { Evidence } from '../../../src/verifiers/verifier.types';
import { loadHarness } from '../../harness/env';
import { copyReference, pushRandomImage } from '../../harness/images';
import { compileKey } from '../../unit/verifiers/keys';
import { makeCosignKey, signV2, signV3, type CosignKey } from './cosign-cli';
import { sigTag } from './oci-push';
import { newRegistryReader, resolveForVerifier } from './registry-reader';

const harness = loadHarness();
const cosign = path.join(harness.tools, 'cosign');
const cosign2 = path.join(harness.tools, 'cosign2');
const MATCH_REPOSITORY: CompiledSignedIdentity = { type: 'matchRepository' };

let dir: string;
let key: CosignKey;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-identity-'));
  key = await makeCosignKey(cosign, dir, 'p256');
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// verify judges `host/repo:tag` with a key authority under `signedIdentity`.
async function verify(
  host: string,
  repo: string,
  tag: string,
  signedIdentity: CompiledSignedIdentity,
): Promise<Evidence> {
  const authority: CompiledCosignAuthority = {
    kind: 'cosign',
    referenceBound: true,
    name: 'release',
    keys: [compileKey(createPublicKey(key.publicPem))],
    tlog: { required: false, rekorKeys: [] },
    attestations: [],
    signedIdentity,
  };
  const { target, ctx } = await resolveForVerifier(newRegistryReader(), host, repo, tag);
  return cosignVerifier.verify(target, authority, ctx);
}

// unique names a fresh repository.
function unique(label: string): string {
  return `cosign-identity/${label}-${Math.random().toString(36).slice(2, 8)}`;
}

describe('cosign signedIdentity with cosign v2 legacy signatures', () => {
  it('admits in the signed repository; denies the same signature copied to another repository', async () => {
    const host = harness.distribution.host;
    const repo = unique('signed');
    const image = await pushRandomImage(host, repo, 'v1');
    await signV2(cosign2, dir, key, `${host}/${repo}:v1`);
    await expect(verify(host, repo, 'v1', MATCH_REPOSITORY)).resolves.toMatchObject({
      summary: expect.stringMatching(/^cosign legacy signature sha256-.*\.sig layer 1/),
    });

    const copy = unique('copied');
    await copyReference(host, `${repo}@${image.digest}`, `${copy}:v1`);
    await copyReference(host, `${repo}:${sigTag(image.digest)}`, `${copy}:${sigTag(image.digest)}`);
    await expect(verify(host, copy, 'v1', MATCH_REPOSITORY)).rejects.toThrowWithCode(
      'VERIFY_IDENTITY_MISMATCH',
      {
        instanceOf: VerifyError,
        details: { digest: image.digest, authority: 'release' },
        message: new RegExp(`signed for identity "${host}/${repo}.*which signedIdentity matchRepository`),
      },
    );
    // exactRepository naming the signed repository accepts the copy: the payload still names the original.
    await expect(
      verify(host, copy, 'v1', { type: 'exactRepository', dockerRepository: `${host}/${repo}` }),
    ).resolves.toMatchObject({
      scheme: 'cosign',
    });
  });

  it('does not count a cosign v3 bundle, and says why', async () => {
    const host = harness.referrers.host;
    const repo = unique('bundle');
    await pushRandomImage(host, repo, 'v1');
    await signV3(cosign, dir, key, `${host}/${repo}:v1`);
    await expect(verify(host, repo, 'v1', MATCH_REPOSITORY)).rejects.toThrowWithCode(
      'VERIFY_IDENTITY_MISMATCH',
      { instanceOf: VerifyError, message: /cosign v3 bundle names no docker-reference/ },
    );
  });
});
