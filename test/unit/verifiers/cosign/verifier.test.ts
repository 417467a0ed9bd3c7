import { registryError, type RegistryErrorCode } from '../../../../src/registry/errors';
import type { CompiledCosignAuthority } from '../../../../src/policy/compile/compiled.types';
import { cosignVerifier } from '../../../../src/verifiers/cosign/verifier';
import { MAX_BUNDLE_BYTES, MAX_SIGNATURES_PER_IMAGE } from '../../../../src/verifiers/cosign/limits';
import { verifyAuthority } from '../../../../src/verifiers/dispatch';
import { VerifyError } from '../../../../src/verifiers/errors';
import { contextFor, targetFor } from '../context';
import {
  bundleFor,
  legacyLayer,
  pushBundle,
  pushLegacy,
  simpleSigningPayload,
  statementFor,
  keyAuthority,
} from '../cosign-fixtures';
import { generateTestKey } from '../keys';
import { MemoryRegistry, sha256Digest } from '../memory-registry';

const DIGEST = sha256Digest(Buffer.from('image'));
const OTHER_DIGEST = sha256Digest(Buffer.from('other image'));
const ours = generateTestKey('p256');
const theirs = generateTestKey('p256');
const authority: CompiledCosignAuthority = keyAuthority(ours);
const target = targetFor('registry.example/team/app', DIGEST, 'registry.example/team/app:v1');

type Setup = (reg: MemoryRegistry) => void;

const accepted: [string, Setup, RegExp][] = [
  [
    'a cosign v3 bundle',
    (r) => pushBundle(r, DIGEST, bundleFor(ours, statementFor(DIGEST))),
    /^cosign bundle sha256:/,
  ],
  [
    'a cosign v3 bundle with the predicate annotation',
    (r) =>
      pushBundle(r, DIGEST, bundleFor(ours, statementFor(DIGEST)), {
        annotatePredicate: 'https://sigstore.dev/cosign/sign/v1',
        onDescriptor: true,
      }),
    /^cosign bundle/,
  ],
  [
    'a legacy .sig signature',
    (r) => pushLegacy(r, DIGEST, [legacyLayer(ours, simpleSigningPayload(DIGEST))]),
    /legacy signature sha256-.*\.sig layer 1/,
  ],
  [
    'a legacy signature after a bundle by another key',
    (r) => {
      pushBundle(r, DIGEST, bundleFor(theirs, statementFor(DIGEST)));
      pushLegacy(r, DIGEST, [legacyLayer(ours, simpleSigningPayload(DIGEST))]);
    },
    /legacy signature/,
  ],
  [
    'the second legacy layer when the first is by another key',
    (r) =>
      pushLegacy(r, DIGEST, [
        legacyLayer(theirs, simpleSigningPayload(DIGEST)),
        legacyLayer(ours, simpleSigningPayload(DIGEST)),
      ]),
    /layer 2/,
  ],
];

describe('cosignVerifier accepts', () => {
  it.each(accepted)('%s', async (_name, setup, summary) => {
    const reg = new MemoryRegistry();
    setup(reg);
    const evidence = await cosignVerifier.verify(target, authority, contextFor(reg));
    expect(evidence.scheme).toBe('cosign');
    expect(evidence.authority).toBe('release');
    expect(evidence.summary).toMatch(summary);
    expect(evidence.summary).toContain(ours.compiled.id);
  });

  it('accepts with any one of several keys', async () => {
    const reg = new MemoryRegistry();
    pushBundle(reg, DIGEST, bundleFor(ours, statementFor(DIGEST)));
    const both = { ...authority, keys: [theirs.compiled, ours.compiled] };
    await expect(cosignVerifier.verify(target, both, contextFor(reg))).resolves.toMatchObject({
      authority: 'release',
    });
  });

  it('stops at the first verified bundle without reading the legacy tag', async () => {
    const reg = new MemoryRegistry();
    pushBundle(reg, DIGEST, bundleFor(ours, statementFor(DIGEST)));
    await cosignVerifier.verify(target, authority, contextFor(reg));
    expect(reg.calls.some((c) => c.endsWith('.sig'))).toBe(false);
  });
});

const denied: [string, Setup, string, RegExp][] = [
  [
    'only a referrer of another artifact type',
    (r) =>
      r.addReferrer(DIGEST, {
        ...r.putManifest({ schemaVersion: 2, layers: [] }),
        artifactType: 'application/vnd.cncf.notary.signature',
      }),
    'VERIFY_NO_SIGNATURES',
    /no cosign signature found/,
  ],
  [
    'a DSSE envelope that is not in-toto',
    (r) => {
      const bundle = bundleFor(ours, statementFor(DIGEST));
      const envelope = bundle['dsseEnvelope'] as Record<string, unknown>;
      pushBundle(r, DIGEST, { ...bundle, dsseEnvelope: { ...envelope, payloadType: 'text/plain' } });
    },
    'VERIFY_PAYLOAD_INVALID',
    /payloadType is "text\/plain", not in-toto/,
  ],
  [
    'a .sig manifest without layers',
    (r) => r.putManifest({ schemaVersion: 2, config: {} }, `${DIGEST.replace(':', '-')}.sig`),
    'VERIFY_PAYLOAD_INVALID',
    /manifest has no "layers" array/,
  ],
  [
    'an unsigned image',
    () => undefined,
    'VERIFY_NO_SIGNATURES',
    /no sigstore bundle among the referrers.*tag sha256-[0-9a-f]{64}\).*sha256-[0-9a-f]{64}\.sig/,
  ],
  [
    'a bundle by another key',
    (r) => pushBundle(r, DIGEST, bundleFor(theirs, statementFor(DIGEST))),
    'VERIFY_SIGNATURE_INVALID',
    /found 1 cosign signature.*signed by another key/,
  ],
  [
    'a bundle whose payload was altered after signing',
    (r) => pushBundle(r, DIGEST, bundleFor(ours, statementFor(DIGEST), true)),
    'VERIFY_SIGNATURE_INVALID',
    /tampered payload/,
  ],
  [
    'a bundle signing another digest (copied)',
    (r) => pushBundle(r, DIGEST, bundleFor(ours, statementFor(OTHER_DIGEST))),
    'VERIFY_DIGEST_MISMATCH',
    new RegExp(`signature is for ${OTHER_DIGEST} not ${DIGEST}`),
  ],
  [
    'an attestation by our key (no annotation)',
    (r) =>
      pushBundle(
        r,
        DIGEST,
        bundleFor(
          ours,
          statementFor(DIGEST, { predicateType: 'https://cosign.sigstore.dev/attestation/v1' }),
        ),
      ),
    'VERIFY_PREDICATE_MISMATCH',
    /an attestation \(predicateType "https:\/\/cosign.sigstore.dev\/attestation\/v1"\), not a cosign signature/,
  ],
  [
    'an attestation announced on the manifest',
    (r) =>
      pushBundle(
        r,
        DIGEST,
        bundleFor(ours, statementFor(DIGEST, { predicateType: 'https://slsa.dev/provenance/v1' })),
        { annotatePredicate: 'https://slsa.dev/provenance/v1' },
      ),
    'VERIFY_PREDICATE_MISMATCH',
    /slsa/,
  ],
  [
    'a bundle manifest with two layers',
    (r) => pushBundle(r, DIGEST, bundleFor(ours, statementFor(DIGEST)), { extraLayers: 1 }),
    'VERIFY_PAYLOAD_INVALID',
    /exactly one bundle layer/,
  ],
  [
    'a bundle that is not a sigstore bundle',
    (r) => pushBundle(r, DIGEST, { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json' }),
    'VERIFY_PAYLOAD_INVALID',
    /invalid sigstore bundle/,
  ],
  [
    'a messageSignature bundle',
    (r) =>
      pushBundle(r, DIGEST, {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] },
        messageSignature: {
          messageDigest: { algorithm: 'SHA2_256', digest: DIGEST.slice(7) },
          signature: 'AAAA',
        },
      }),
    'VERIFY_PAYLOAD_INVALID',
    /messageSignature, not a DSSE envelope/,
  ],
  [
    'a legacy signature by another key',
    (r) => pushLegacy(r, DIGEST, [legacyLayer(theirs, simpleSigningPayload(DIGEST))]),
    'VERIFY_SIGNATURE_INVALID',
    /signed by another key, or the payload was altered/,
  ],
  [
    'a legacy layer whose payload was altered',
    (r) =>
      pushLegacy(r, DIGEST, [
        {
          ...legacyLayer(ours, simpleSigningPayload(DIGEST)),
          payload: simpleSigningPayload(DIGEST, 'cosign container image signature '),
        },
      ]),
    'VERIFY_SIGNATURE_INVALID',
    /payload was altered/,
  ],
  [
    'a legacy signature copied from another digest',
    (r) => pushLegacy(r, DIGEST, [legacyLayer(ours, simpleSigningPayload(OTHER_DIGEST))]),
    'VERIFY_DIGEST_MISMATCH',
    new RegExp(`signature is for ${OTHER_DIGEST} not ${DIGEST}`),
  ],
  [
    'a legacy payload of the wrong type',
    (r) => pushLegacy(r, DIGEST, [legacyLayer(ours, simpleSigningPayload(DIGEST, 'atomic'))]),
    'VERIFY_PAYLOAD_INVALID',
    /critical.type/,
  ],
  [
    'a legacy layer without a signature',
    (r) => pushLegacy(r, DIGEST, [{ payload: simpleSigningPayload(DIGEST) }]),
    'VERIFY_PAYLOAD_INVALID',
    /no dev.cosignproject.cosign\/signature annotation/,
  ],
  [
    'a legacy signature that is not base64',
    (r) => pushLegacy(r, DIGEST, [{ payload: simpleSigningPayload(DIGEST), signature: 'not base64!' }]),
    'VERIFY_PAYLOAD_INVALID',
    /not base64/,
  ],
  [
    'a legacy layer of another media type',
    (r) =>
      pushLegacy(r, DIGEST, [
        { ...legacyLayer(ours, simpleSigningPayload(DIGEST)), mediaType: 'application/octet-stream' },
      ]),
    'VERIFY_PAYLOAD_INVALID',
    /not simple-signing/,
  ],
  [
    'a keyless legacy signature',
    (r) =>
      pushLegacy(r, DIGEST, [
        {
          ...legacyLayer(theirs, simpleSigningPayload(DIGEST)),
          annotations: { 'dev.sigstore.cosign/certificate': 'PEM' },
        },
      ]),
    'VERIFY_SIGNATURE_INVALID',
    /keyless/,
  ],
  [
    'a copied signature plus one by another key: the copy is the telling reason',
    (r) =>
      pushLegacy(r, DIGEST, [
        legacyLayer(theirs, simpleSigningPayload(DIGEST)),
        legacyLayer(ours, simpleSigningPayload(OTHER_DIGEST)),
      ]),
    'VERIFY_DIGEST_MISMATCH',
    /found 2 cosign signature.*layer 1: signed by another key.*layer 2: signature is for/,
  ],
];

describe('cosignVerifier denies', () => {
  it.each(denied)('%s', async (_name, setup, code, message) => {
    const reg = new MemoryRegistry();
    setup(reg);
    // Image, digest and authority travel in details; the decision's message already names them once.
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toThrowWithCode(code, {
      instanceOf: VerifyError,
      details: { image: target.ref.original, digest: DIGEST, authority: 'release' },
      message: [message, expect.not.stringContaining('authority "release"')],
    });
  });

  it('never fetches a bundle announced as an attestation', async () => {
    const reg = new MemoryRegistry();
    const attestation = bundleFor(ours, statementFor(DIGEST, { predicateType: 'https://spdx.dev/Document' }));
    pushBundle(reg, DIGEST, attestation, {
      annotatePredicate: 'https://spdx.dev/Document',
      onDescriptor: true,
    });
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toThrowWithCode(
      'VERIFY_PREDICATE_MISMATCH',
    );
    expect(reg.count('getManifest')).toBe(1); // only the .sig tag
    expect(reg.count('getBlob')).toBe(0);
  });

  it('refuses a bundle layer over the size limit without fetching it', async () => {
    const reg = new MemoryRegistry();
    const big = { ...bundleFor(ours, statementFor(DIGEST)), padding: 'x'.repeat(MAX_BUNDLE_BYTES) };
    pushBundle(reg, DIGEST, big);
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toThrowWithCode(
      'VERIFY_PAYLOAD_INVALID',
    );
    expect(reg.count('getBlob')).toBe(0);
  });

  it(`stops after ${MAX_SIGNATURES_PER_IMAGE} signatures and says so`, async () => {
    const reg = new MemoryRegistry();
    const layers = Array.from({ length: MAX_SIGNATURES_PER_IMAGE + 8 }, (_, i) =>
      legacyLayer(theirs, simpleSigningPayload(DIGEST, `cosign container image signature${' '.repeat(i)}`)),
    );
    pushLegacy(reg, DIGEST, [...layers, legacyLayer(ours, simpleSigningPayload(DIGEST))]);
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toThrowWithCode(
      'VERIFY_TOO_MANY_SIGNATURES',
      {
        instanceOf: VerifyError,
        message: new RegExp(`first ${MAX_SIGNATURES_PER_IMAGE} signatures.*and \\d+ more`),
      },
    );
    expect(reg.count('getBlob')).toBe(MAX_SIGNATURES_PER_IMAGE);
  });

  it('counts bundles and legacy layers against one budget', async () => {
    const reg = new MemoryRegistry();
    for (let i = 0; i < MAX_SIGNATURES_PER_IMAGE; i++)
      pushBundle(
        reg,
        DIGEST,
        bundleFor(theirs, statementFor(DIGEST, { subjectHex: String(i).padStart(64, '0') })),
      );
    pushLegacy(reg, DIGEST, [legacyLayer(ours, simpleSigningPayload(DIGEST))]);
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toThrowWithCode(
      'VERIFY_TOO_MANY_SIGNATURES',
    );
  });

  it.each([
    ['a non-sha256 digest', targetFor('registry.example/team/app', `sha512:${'a'.repeat(128)}`), authority],
    ['an authority with neither keys nor keyless', target, { ...authority, keys: [] }],
  ])('reports VERIFY_UNSUPPORTED for %s', async (_name, t, a) => {
    const reg = new MemoryRegistry();
    await expect(cosignVerifier.verify(t, a, contextFor(reg))).rejects.toThrowWithCode('VERIFY_UNSUPPORTED', {
      instanceOf: VerifyError,
    });
    expect(reg.calls).toEqual([]);
  });
});

describe('registry errors', () => {
  it.each([
    ['listReferrers', 'REGISTRY_UNREACHABLE'],
    ['getManifest', 'REGISTRY_UNAUTHORIZED'],
    ['getBlob', 'REGISTRY_BLOB_TOO_LARGE'],
  ])('propagate unchanged from %s (%s)', async (operation, code) => {
    const reg = new MemoryRegistry();
    pushLegacy(reg, DIGEST, [legacyLayer(ours, simpleSigningPayload(DIGEST))]);
    const failure = registryError(code as RegistryErrorCode, { registry: 'memory.test' }, 'registry said no');
    reg.failWith = (op) => (op === operation ? failure : undefined);
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toBe(failure);
  });

  it('treats a missing .sig tag as "no legacy signatures"', async () => {
    const reg = new MemoryRegistry();
    await expect(cosignVerifier.verify(target, authority, contextFor(reg))).rejects.toThrowWithCode(
      'VERIFY_NO_SIGNATURES',
    );
    expect(reg.calls).toEqual([`listReferrers ${DIGEST}`, `getManifest ${DIGEST.replace(':', '-')}.sig`]);
  });
});

describe('verifyAuthority', () => {
  it('dispatches cosign authorities to the cosign verifier', async () => {
    const reg = new MemoryRegistry();
    pushBundle(reg, DIGEST, bundleFor(ours, statementFor(DIGEST)));
    await expect(verifyAuthority(target, authority, contextFor(reg))).resolves.toMatchObject({
      scheme: 'cosign',
    });
  });

  it('rejects an unknown kind with VERIFY_UNSUPPORTED', async () => {
    const unknown = { kind: 'pgp', name: 'gpg', keys: [] } as unknown as CompiledCosignAuthority;
    await expect(verifyAuthority(target, unknown, contextFor(new MemoryRegistry()))).rejects.toThrowWithCode(
      'VERIFY_UNSUPPORTED',
      {
        message: 'authority kind "pgp"',
      },
    );
  });
});
