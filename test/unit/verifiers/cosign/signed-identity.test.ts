// A cosign authority with signedIdentity: a legacy signature counts only when its payload's docker-reference
// matches the image by the simpleSigning authority's matcher; a cosign v3 bundle names none and never counts.
import type {
  CompiledCosignAuthority,
  CompiledSignedIdentity,
} from '../../../../src/policy/compile/compiled.types';
import { cosignVerifier } from '../../../../src/verifiers/cosign/verifier';
import { VerifyError } from '../../../../src/verifiers/errors';
import { contextFor, targetFor } from '../context';
import {
  bundleFor,
  legacyLayer,
  pushBundle,
  pushLegacy,
  statementFor,
  keyAuthority,
} from '../cosign-fixtures';
import { generateTestKey } from '../keys';
import { MemoryRegistry, sha256Digest } from '../memory-registry';

const DIGEST = sha256Digest(Buffer.from('image'));
const ours = generateTestKey('p256');
const target = targetFor('registry.example/team/app', DIGEST, 'registry.example/team/app:v1');

// authorityWith is a key authority under `signedIdentity`.
function authorityWith(signedIdentity?: CompiledSignedIdentity): CompiledCosignAuthority {
  return keyAuthority(ours, signedIdentity);
}

// payloadFor is cosign's legacy payload for DIGEST naming `reference`.
function payloadFor(reference: string): Buffer {
  const critical = {
    identity: { 'docker-reference': reference },
    image: { 'docker-manifest-digest': DIGEST },
    type: 'cosign container image signature',
  };
  return Buffer.from(JSON.stringify({ critical, optional: null }));
}

// verdict verifies `target` against a registry holding one legacy signature naming `reference`.
async function verdict(identity: CompiledSignedIdentity | undefined, reference: string): Promise<string> {
  const reg = new MemoryRegistry();
  pushLegacy(reg, DIGEST, [legacyLayer(ours, payloadFor(reference))]);
  try {
    await cosignVerifier.verify(target, authorityWith(identity), contextFor(reg));
    return 'admitted';
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return error.code;
  }
}

describe('cosign signedIdentity on legacy signatures', () => {
  it.each<[CompiledSignedIdentity | undefined, string, string]>([
    [undefined, 'elsewhere.example/x', 'admitted'],
    [{ type: 'matchRepoDigestOrExact' }, 'registry.example/team/app:v1', 'admitted'],
    [{ type: 'matchRepoDigestOrExact' }, 'registry.example/team/app:v2', 'VERIFY_IDENTITY_MISMATCH'],
    [{ type: 'matchRepository' }, 'registry.example/team/app:v2', 'admitted'],
    [{ type: 'matchRepository' }, 'registry.example/team/other:v1', 'VERIFY_IDENTITY_MISMATCH'],
    [{ type: 'matchExact' }, 'registry.example/team/app', 'VERIFY_IDENTITY_MISMATCH'],
    [{ type: 'exactRepository', dockerRepository: 'quay.io/team/app' }, 'quay.io/team/app:v9', 'admitted'],
    [
      { type: 'remapIdentity', prefix: 'registry.example/team', signedPrefix: 'quay.io/team' },
      'quay.io/team/app:v1',
      'admitted',
    ],
  ])('%j, signed for %s: %s', async (identity, reference, expected) => {
    expect(await verdict(identity, reference)).toBe(expected);
  });

  it('says which identity was signed and which rule refused it', async () => {
    const reg = new MemoryRegistry();
    pushLegacy(reg, DIGEST, [legacyLayer(ours, payloadFor('registry.example/team/other:v1'))]);
    const run = cosignVerifier.verify(target, authorityWith({ type: 'matchRepository' }), contextFor(reg));
    await expect(run).rejects.toThrow(
      /"registry\.example\/team\/other:v1", which signedIdentity matchRepository/,
    );
  });

  it('a payload without a docker-reference does not count', async () => {
    const reg = new MemoryRegistry();
    const bare = Buffer.from(
      JSON.stringify({
        critical: { image: { 'docker-manifest-digest': DIGEST }, type: 'cosign container image signature' },
      }),
    );
    pushLegacy(reg, DIGEST, [legacyLayer(ours, bare)]);
    const run = cosignVerifier.verify(target, authorityWith({ type: 'matchRepository' }), contextFor(reg));
    await expect(run).rejects.toMatchObject({ code: 'VERIFY_IDENTITY_MISMATCH' });
  });
});

describe('cosign signedIdentity on v3 bundles', () => {
  it('a verified bundle does not count, and the denial says why', async () => {
    const reg = new MemoryRegistry();
    pushBundle(reg, DIGEST, bundleFor(ours, statementFor(DIGEST)));
    const run = cosignVerifier.verify(target, authorityWith({ type: 'matchRepository' }), contextFor(reg));
    await expect(run).rejects.toMatchObject({ code: 'VERIFY_IDENTITY_MISMATCH' });
    await expect(
      cosignVerifier.verify(target, authorityWith({ type: 'matchRepository' }), contextFor(reg)),
    ).rejects.toThrow(/cosign v3 bundle names no docker-reference/);
  });

  it('a matching legacy signature next to the bundle still admits', async () => {
    const reg = new MemoryRegistry();
    pushBundle(reg, DIGEST, bundleFor(ours, statementFor(DIGEST)));
    pushLegacy(reg, DIGEST, [legacyLayer(ours, payloadFor('registry.example/team/app:v1'))]);
    const evidence = await cosignVerifier.verify(
      target,
      authorityWith({ type: 'matchExact' }),
      contextFor(reg),
    );
    expect(evidence.summary).toMatch(/legacy signature/);
  });
});
