// Runs the key-based cosign image cases of the vendored conformance set through cosignVerifier.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CompiledCosignAuthority } from '../../../src/policy/compile/compiled.types';
import { cosignVerifier } from '../../../src/verifiers/cosign/verifier';
import { VerifyError } from '../../../src/verifiers/errors';
import {
  COSIGN_DIR,
  connaisseurRegistry,
  containersImageRegistry,
  loadCosignCases,
  loadKey,
  splitImage,
  type ConformanceCase,
} from './conformance-registry';
import { contextFor, targetFor } from './context';
import { MemoryRegistry } from './memory-registry';

/** Cases outside this issue (keys only, no transparency log), each with the reason. */
const SKIPPED: Readonly<Record<string, string>> = {
  'cos-cn-keyless': 'keyless (Fulcio certificate + Rekor SET): keyless verification is not in this issue',
  'cos-ci-fulcio-rekor':
    'keyless (Fulcio certificate + Rekor SET): keyless verification is not in this issue',
  'cos-ci-key-with-rekor': 'tlog.required: Rekor SET verification is not in this issue',
  'cos-ci-key-with-rekor-wrong-log-key': 'tlog.required: Rekor SET verification is not in this issue',
  'cos-attestation-valid': 'keyless attestation policy: keyless and attestations are not in this issue',
  'cos-attestation-wrong-identity':
    'keyless attestation policy: keyless and attestations are not in this issue',
};
/** Formats that are not image verification with a key (Rekor SETs, blob bundles). */
const OTHER_FORMATS = ['rekor-set', 'sigstore-bundle-blob'];
const RUN_FORMATS = ['cosign-legacy-registry', 'containers-image-dir'];

/** For invalid cases: the code each failing authority must report, from the case's `reason`. */
const EXPECTED_FAILURES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'cos-cn-threshold-3-not-met': { default: 'VERIFY_SIGNATURE_INVALID' },
  'cos-cn-required-signer-missing': { bob: 'VERIFY_SIGNATURE_INVALID' },
  'cos-cn-unsigned': { alice: 'VERIFY_NO_SIGNATURES' },
  'cos-ci-unknown-key': { key: 'VERIFY_SIGNATURE_INVALID' },
  'cos-ci-modified-manifest': { key: 'VERIFY_DIGEST_MISMATCH' },
};

const cases = loadCosignCases();
const runnable = cases.filter((c) => RUN_FORMATS.includes(c.format ?? '') && SKIPPED[c.id] === undefined);

// registryFor serves a case's files in its format.
function registryFor(c: ConformanceCase): MemoryRegistry {
  return c.format === 'containers-image-dir' ? containersImageRegistry(c).reg : connaisseurRegistry(c.files);
}

// runCase verifies every authority and returns each one's code ('ok' when it passed).
async function runCase(c: ConformanceCase): Promise<Record<string, string>> {
  const { name, digest } = splitImage(c.image as string);
  const reg = registryFor(c);
  const target = targetFor(name, digest, c.image as string);
  const results: Record<string, string> = {};
  for (const a of c.trust.authorities ?? []) {
    const authority: CompiledCosignAuthority = {
      kind: 'cosign',
      name: a.name,
      keys: [loadKey(a.cosign.key as string)],
      tlog: { required: false, rekorKeys: [] },
      attestations: [],
    };
    try {
      await cosignVerifier.verify(target, authority, contextFor(reg));
      results[a.name] = 'ok';
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      results[a.name] = e.code;
    }
  }
  return results;
}

describe('cosign conformance (key-based image cases)', () => {
  it('classifies every case: run, skipped with a reason, or another format', () => {
    const unclassified = cases.filter(
      (c) => !runnable.includes(c) && SKIPPED[c.id] === undefined && !OTHER_FORMATS.includes(c.format ?? ''),
    );
    expect(unclassified.map((c) => c.id)).toEqual([]);
    expect(runnable.length).toBeGreaterThanOrEqual(9);
  });

  it.each(runnable.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const results = await runCase(c);
    const passed = Object.values(results).filter((r) => r === 'ok').length;
    const threshold = c.trust.threshold ?? 1;
    expect(passed >= threshold ? 'valid' : 'invalid').toBe(c.expect);
    if (c.expect === 'invalid') {
      const expected = EXPECTED_FAILURES[c.id];
      expect(expected).toBeDefined();
      for (const [authority, code] of Object.entries(expected ?? {})) expect(results[authority]).toBe(code);
    }
  });

  it('never takes the real cosign attestation bundle for a signature', async () => {
    // sigstore/cosign's OCI attestation bundle, served as a referrer of its subject.
    const bundleBytes = readFileSync(path.join(COSIGN_DIR, 'sigstore-cosign/oci-attestation.sigstore.json'));
    const { name, digest } = splitImage(
      'localhost:5000/repo@sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4',
    );
    const reg = new MemoryRegistry();
    const layer = reg.putBlob(bundleBytes, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: layer.mediaType,
      layers: [layer],
    };
    reg.addReferrer(digest, { ...reg.putManifest(manifest), artifactType: layer.mediaType });
    const authority: CompiledCosignAuthority = {
      kind: 'cosign',
      name: 'key',
      keys: [loadKey('containers-image/fixtures/cosign.pub')],
      tlog: { required: false, rekorKeys: [] },
      attestations: [],
    };
    await expect(
      cosignVerifier.verify(targetFor(name, digest), authority, contextFor(reg)),
    ).rejects.toThrowWithCode('VERIFY_SIGNATURE_INVALID', { instanceOf: VerifyError, message: /keyless/ });
  });
});
