// Runs EVERY cosign case of the vendored conformance set (test/fixtures/conformance/cosign): image cases
// through the policy compiler and the cosign verifier, Rekor SET cases and sigstore-conformance bundle
// cases through the same signer checks. No case is skipped; a new format fails the classification test.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseTrustedRoot } from '../../../src/policy/authorities/trusted-root';
import type { CompiledTrustedRoot } from '../../../src/policy/compile/compiled.types';
import { verifyBlobBundle } from '../../../src/verifiers/cosign/blob';
import { toLegacyBundle } from '../../../src/verifiers/cosign/legacy-bundle';
import { embeddedPublicGoodRoot } from '../../../src/verifiers/cosign/public-good';
import { checkSigner } from '../../../src/verifiers/cosign/sigstore-check';
import { cosignVerifier } from '../../../src/verifiers/cosign/verifier';
import { VerifyError } from '../../../src/verifiers/errors';
import {
  COSIGN_DIR,
  connaisseurRegistry,
  containersImageRegistry,
  loadCosignCases,
  splitImage,
  type ConformanceCase,
} from './conformance-registry';
import {
  compileBlobAuthority,
  compileCaseAuthorities,
  compileKeyAuthority,
  type CaseTrust,
} from './cosign/conformance-policy';
import { contextFor, targetFor } from './context';
import { MemoryRegistry } from './memory-registry';

const IMAGE_FORMATS = ['cosign-legacy-registry', 'containers-image-dir', 'sigstore-bundle-attestation'];
const OTHER_FORMATS = ['rekor-set', 'sigstore-bundle-blob'];

/** For invalid cases: the result each authority (or the one check) must give, from the case's `reason`. */
const EXPECTED_FAILURES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'cos-cn-threshold-3-not-met': { default: 'VERIFY_SIGNATURE_INVALID' },
  'cos-cn-required-signer-missing': { bob: 'VERIFY_SIGNATURE_INVALID' },
  'cos-cn-unsigned': { alice: 'VERIFY_NO_SIGNATURES' },
  'cos-ci-unknown-key': { key: 'VERIFY_SIGNATURE_INVALID' },
  'cos-ci-modified-manifest': { key: 'VERIFY_DIGEST_MISMATCH' },
  'cos-ci-key-with-rekor-wrong-log-key': { key: 'VERIFY_TLOG_INVALID' },
  'cos-attestation-wrong-identity': { att: 'VERIFY_IDENTITY_MISMATCH' },
  'cos-ci-rekor-set-wrong-key': { check: 'tlog' },
  // A staging bundle: its SET is checked before its time is used, and staging's log is not in the root.
  'cos-conf-bundle-from-wrong-instance-fail': { check: 'tlog' },
  'cos-conf-dsse-invalid-sig-fail': { check: 'tlog' }, // the log entry holds the real signature
  'cos-conf-inclusion-proof-corrupted-hash-fail': { check: 'tlog' },
  'cos-conf-integrated-time-in-future-fail': { check: 'certificate' },
  'cos-conf-signature-mismatch-fail': { check: 'tlog' }, // the log entry holds the real signature
  'cos-conf-wrong-material-fail': { check: 'signature' },
  'cos-conf-intoto-expired-certificate-fail': { check: 'certificate' },
  'cos-conf-intoto-missing-inclusion-proof-fail': { check: 'payload' },
  'cos-conf-rekor2-no-timestamp-fail': { check: 'timestamp' },
  'cos-conf-trust-root-tlog-missing-validity-start-fail': { check: 'root' },
};

const cases = loadCosignCases();

// file reads a fixture.
function file(name: string): Buffer {
  return readFileSync(path.join(COSIGN_DIR, name));
}

// registryFor serves an image case's files in its format.
function registryFor(c: ConformanceCase): MemoryRegistry {
  if (c.format === 'containers-image-dir') return containersImageRegistry(c).reg;
  if (c.format === 'cosign-legacy-registry') return connaisseurRegistry(c.files);
  // sigstore-bundle-attestation: the bundle as cosign v3 stores it, an OCI referrer of the image.
  const reg = new MemoryRegistry();
  const layer = reg.putBlob(file(c.bundle as string), 'application/vnd.dev.sigstore.bundle.v0.3+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: layer.mediaType,
    layers: [layer],
  };
  reg.addReferrer(splitImage(c.image as string).digest, {
    ...reg.putManifest(manifest),
    artifactType: layer.mediaType,
  });
  return reg;
}

// runImageCase verifies every authority and returns each one's code ('ok' when it passed).
async function runImageCase(c: ConformanceCase): Promise<Record<string, string>> {
  const { name, digest } = splitImage(c.image as string);
  const reg = registryFor(c);
  const results: Record<string, string> = {};
  for (const authority of compileCaseAuthorities(c.trust as CaseTrust)) {
    try {
      await cosignVerifier.verify(targetFor(name, digest, c.image as string), authority, contextFor(reg));
      results[authority.name] = 'ok';
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      results[authority.name] = e.code;
    }
  }
  return results;
}

// rootOf parses a case's TrustedRoot; a root we refuse is the case's result ('root').
function rootOf(trust: CaseTrust): CompiledTrustedRoot | 'root' {
  if (trust.trustedRoot === undefined) return embeddedPublicGoodRoot();
  const parsed = parseTrustedRoot(file(trust.trustedRoot).toString('utf8'), trust.trustedRoot);
  return typeof parsed === 'string' ? 'root' : parsed;
}

// runBlobCase verifies a sigstore-conformance bundle over its artifact; a policy we refuse counts as 'root'.
function runBlobCase(c: ConformanceCase & { artifact?: string }): string {
  const trust = c.trust as CaseTrust;
  const root = rootOf(trust);
  if (root === 'root') return 'root';
  let authority;
  try {
    authority = compileBlobAuthority(trust);
  } catch {
    return 'root';
  }
  const result = verifyBlobBundle(file(c.bundle as string), file(c.artifact as string), authority, root);
  return result.ok ? 'ok' : result.kind;
}

// runRekorSetCase checks a Rekor SET and its body against payload, signature and certificate: a key
// authority holding the certificate's key, with the log required and the case's Rekor keys.
function runRekorSetCase(c: ConformanceCase): string {
  const dir = 'containers-image/internal-testdata';
  const certPem = file(`${dir}/rekor-cert`).toString('utf8');
  const keyPem = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const authority = compileKeyAuthority(keyPem, (c.trust as CaseTrust).tlog?.rekorKeys ?? []);
  const annotations = {
    'dev.sigstore.cosign/certificate': certPem,
    'dev.sigstore.cosign/bundle': file(`${dir}/rekor-set`).toString('utf8'),
  };
  const payload = file(`${dir}/rekor-payload`);
  const signatureB64 = file(`${dir}/rekor-sig`).toString('utf8').trim();
  const bundle = toLegacyBundle({ kind: 'message', payload, signatureB64 }, annotations);
  if (typeof bundle === 'string') return 'payload';
  const result = checkSigner(bundle, payload, authority, embeddedPublicGoodRoot());
  return result.ok ? 'ok' : result.kind;
}

describe('cosign conformance (every case of test/fixtures/conformance/cosign)', () => {
  it('classifies every case into a format this runner runs', () => {
    const unknown = cases.filter((c) => ![...IMAGE_FORMATS, ...OTHER_FORMATS].includes(c.format ?? ''));
    expect(unknown.map((c) => c.id)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(38);
  });

  it('names the expected failure of every invalid case', () => {
    const unnamed = cases.filter((c) => c.expect === 'invalid' && EXPECTED_FAILURES[c.id] === undefined);
    expect(unnamed.map((c) => c.id)).toEqual([]);
  });

  const images = cases.filter((c) => IMAGE_FORMATS.includes(c.format ?? ''));
  it.each(images.map((c) => [c.id, c] as const))('image %s', async (_id, c) => {
    const results = await runImageCase(c);
    const passed = Object.values(results).filter((r) => r === 'ok').length;
    expect({ outcome: passed >= (c.trust.threshold ?? 1) ? 'valid' : 'invalid', results }).toMatchObject({
      outcome: c.expect,
    });
    for (const [authority, code] of Object.entries(EXPECTED_FAILURES[c.id] ?? {})) {
      expect(results[authority]).toBe(code);
    }
  });

  const others = cases.filter((c) => OTHER_FORMATS.includes(c.format ?? ''));
  it.each(others.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const result = c.format === 'rekor-set' ? runRekorSetCase(c) : runBlobCase(c);
    expect(result).toBe(c.expect === 'valid' ? 'ok' : EXPECTED_FAILURES[c.id]?.['check']);
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
    const [authority] = compileCaseAuthorities({
      authorities: [{ name: 'key', cosign: { key: 'containers-image/fixtures/cosign.pub' } }],
    });
    if (authority === undefined) throw new Error('the key authority did not compile');
    await expect(
      cosignVerifier.verify(targetFor(name, digest), authority, contextFor(reg)),
    ).rejects.toThrowWithCode('VERIFY_SIGNATURE_INVALID', { instanceOf: VerifyError, message: /keyless/ });
  });
});
