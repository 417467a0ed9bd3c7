// Layer encryption of a digest: counted over an index's platforms (bounded), cached by digest so the warm
// path stays registry-free, and a failure to read it denies only the policies that judge encryption.
import { createHash } from 'node:crypto';
import { evaluateRequest } from '../../../src/engine/evaluate-request';
import { EncryptionCache, readLayerEncryption } from '../../../src/engine/image-encryption';
import { MAX_ENCRYPTION_MANIFESTS } from '../../../src/engine/limits';
import { compilePolicies } from '../../../src/policy';
import { ANONYMOUS } from '../../../src/registry';
import { OCI_INDEX, OCI_MANIFEST } from '../../../src/registry/media-types';
import type { FetchedManifest, RegistryReader } from '../../../src/registry/registry.types';
import { clusterPolicy, secretsOf } from '../policy/helpers';
import { countingRegistry, deps, input, pass, podRequest } from './engine-fixtures';

const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const digestOf = (json: unknown) =>
  `sha256:${createHash('sha256').update(JSON.stringify(json)).digest('hex')}`;
const image = (...layers: string[]) => ({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: 'sha256:00', size: 1 },
  layers: layers.map((mediaType) => ({ mediaType, digest: 'sha256:01', size: 1 })),
});

// manifestRegistry serves the given manifests by digest and counts getManifest calls.
function manifestRegistry(docs: readonly unknown[]): RegistryReader & { gets: number; resolves: number } {
  const byDigest = new Map(docs.map((d) => [digestOf(d), d]));
  const base = countingRegistry(0);
  const reg = Object.assign(base, {
    gets: 0,
    async getManifest(_repo: unknown, reference: string): Promise<FetchedManifest> {
      reg.gets += 1;
      const json = byDigest.get(reference) as { mediaType: string } | undefined;
      if (json === undefined) throw new Error(`no ${reference}`);
      const bytes = Buffer.from(JSON.stringify(json));
      return {
        descriptor: { mediaType: json.mediaType, digest: reference, size: bytes.length },
        bytes,
        json,
      };
    },
  });
  return reg;
}

const ctx = { deadline: Date.now() + 5_000, credentials: ANONYMOUS };
const repo = { registry: 'registry.example.com', repository: 'team/app' };

describe('readLayerEncryption', () => {
  test('counts layers of every platform of an index; config and non-layer blobs do not count', async () => {
    const amd = image(`${LAYER}+encrypted`, `${LAYER}+encrypted`);
    const arm = image(`${LAYER}+encrypted`, LAYER);
    const attestation = image('application/vnd.in-toto+json');
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [amd, arm, attestation].map((m) => ({
        mediaType: OCI_MANIFEST,
        digest: digestOf(m),
        size: 1,
      })),
    };
    const reg = manifestRegistry([index, amd, arm, attestation]);
    expect(await readLayerEncryption(reg, repo, digestOf(index), ctx)).toEqual({
      layers: 4,
      encrypted: 3,
      manifests: 3,
    });
    expect(await readLayerEncryption(reg, repo, digestOf(arm), ctx)).toEqual({
      layers: 2,
      encrypted: 1,
      manifests: 1,
    });
  });

  test(`refuses an index naming more than ${MAX_ENCRYPTION_MANIFESTS} manifests`, async () => {
    const many = Array.from({ length: MAX_ENCRYPTION_MANIFESTS }, (_, i) =>
      image(`${LAYER}+encrypted`, `${LAYER}.${i}`),
    );
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: many.map((m) => ({ mediaType: OCI_MANIFEST, digest: digestOf(m), size: 1 })),
    };
    await expect(
      readLayerEncryption(manifestRegistry([index, ...many]), repo, digestOf(index), ctx),
    ).rejects.toMatchObject({
      code: 'ENGINE_TOO_MANY_MANIFESTS',
    });
  });
});

describe('evaluation', () => {
  const enc = image(`${LAYER}+encrypted`);
  const pinned = `registry.example.com/team/app@${digestOf(enc)}`;
  const required = compilePolicies([clusterPolicy({ encryption: { required: true } })], {
    secrets: secretsOf(),
  });

  test('a warm digest (verdicts and encryption cached) makes no registry request', async () => {
    const reg = manifestRegistry([enc]);
    const d = { ...deps(reg, pass), encryption: new EncryptionCache() };
    expect((await evaluateRequest(input(podRequest([pinned]), required), d)).decision.allowed).toBe(true);
    expect(reg.gets).toBe(1);
    expect((await evaluateRequest(input(podRequest([pinned, pinned]), required), d)).decision.allowed).toBe(
      true,
    );
    expect([reg.gets, reg.resolves]).toEqual([1, 0]);
  });

  test('a plaintext image is denied; an unreadable manifest denies with the registry error', async () => {
    const plain = image(LAYER, `${LAYER}+encrypted`);
    const ref = `registry.example.com/team/app@${digestOf(plain)}`;
    const denied = await evaluateRequest(
      input(podRequest([ref]), required),
      deps(manifestRegistry([plain]), pass),
    );
    expect(denied.decision.message).toContain('has 1 plaintext layer of 2');
    const missing = await evaluateRequest(
      input(podRequest([ref]), required),
      deps(manifestRegistry([]), pass),
    );
    expect(missing.decision.allowed).toBe(false);
    expect(missing.decision.message).toContain('the policy judges encryption, so it denies (fail closed)');
  });
});
