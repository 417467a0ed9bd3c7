// Test helper: produce cosign v3 bundles and cosign v2 `.sig` layers with node:crypto keys, as cosign does.
import { sign } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519';
import { keyHint } from '../../../src/verifiers/cosign/sigstore-check';
import { toPreAuthEncoding } from '../../../src/verifiers/kit/dsse';
import type { Descriptor } from '../../../src/registry/registry.types';
import type {
  CompiledCosignAuthority,
  CompiledSignedIdentity,
} from '../../../src/policy/compile/compiled.types';
import { rawEd25519Private, type TestKeyPair } from './keys';
import { MemoryRegistry, OCI_MANIFEST } from './memory-registry';

export const SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';
const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

// signBytes signs with the scheme cosign uses by default for the key type.
export function signBytes(pair: TestKeyPair, data: Buffer): Buffer {
  switch (pair.kind) {
    case 'ed25519':
      return Buffer.from(ed25519ph.sign(data, rawEd25519Private(pair.privateKey)));
    case 'rsa2048':
      return sign('sha256', data, pair.privateKey);
    case 'p384':
      return sign('sha384', data, pair.privateKey);
    case 'p521':
      return sign('sha512', data, pair.privateKey);
    case 'p256':
      return sign('sha256', data, pair.privateKey);
  }
}

export interface StatementOptions {
  readonly predicateType?: string;
  /** Hex of the subject digest; defaults to the target's. */
  readonly subjectHex?: string;
}

// statementFor builds the in-toto statement cosign v3 signs.
export function statementFor(digest: string, options: StatementOptions = {}): Buffer {
  return Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: options.subjectHex ?? digest.slice(7) }, annotations: {} }],
      predicateType: options.predicateType ?? SIGN_PREDICATE,
      predicate: {},
    }),
  );
}

// bundleFor signs a statement into a v0.3 bundle with a public-key hint and no tlog entries.
export function bundleFor(
  pair: TestKeyPair,
  payload: Buffer,
  alterAfterSigning = false,
): Record<string, unknown> {
  const payloadType = 'application/vnd.in-toto+json';
  const sig = signBytes(pair, toPreAuthEncoding(payloadType, payload));
  const signed = alterAfterSigning
    ? Buffer.from(payload.toString().replace('"predicate":{}', '"predicate":{"x":1}'))
    : payload;
  return {
    mediaType: BUNDLE_TYPE,
    verificationMaterial: { publicKey: { hint: keyHint(pair.compiled.keyObject) } },
    dsseEnvelope: {
      payload: signed.toString('base64'),
      payloadType,
      signatures: [{ sig: sig.toString('base64') }],
    },
  };
}

export interface PushBundleOptions {
  /** Set the manifest's predicateType annotation (cosign v3 does). */
  readonly annotatePredicate?: string;
  /** Also put the annotation on the referrers descriptor (as a registry with the API does). */
  readonly onDescriptor?: boolean;
  readonly layerMediaType?: string;
  readonly extraLayers?: number;
}

// pushBundle stores a bundle as a referrer of `subject`, shaped like cosign v3's manifest.
export function pushBundle(
  reg: MemoryRegistry,
  subject: string,
  bundle: unknown,
  options: PushBundleOptions = {},
): Descriptor {
  const layer = reg.putBlob(Buffer.from(JSON.stringify(bundle)), options.layerMediaType ?? BUNDLE_TYPE);
  const annotations = options.annotatePredicate
    ? { 'dev.sigstore.bundle.predicateType': options.annotatePredicate }
    : undefined;
  const layers = [layer, ...Array.from({ length: options.extraLayers ?? 0 }, () => layer)];
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_TYPE,
    config: EMPTY_CONFIG,
    layers,
    subject: { mediaType: OCI_MANIFEST, digest: subject, size: 100 },
    ...(annotations ? { annotations } : {}),
  };
  const desc = { ...reg.putManifest(manifest), artifactType: BUNDLE_TYPE };
  reg.addReferrer(subject, options.onDescriptor && annotations ? { ...desc, annotations } : desc);
  return desc;
}

// simpleSigningPayload is cosign v2's payload for `digest`.
export function simpleSigningPayload(digest: string, type = 'cosign container image signature'): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': 'registry.example/app' },
        image: { 'docker-manifest-digest': digest },
        type,
      },
      optional: null,
    }),
  );
}

export interface LegacyLayer {
  readonly payload: Buffer;
  /** Base64 signature annotation; omitted when undefined. */
  readonly signature?: string;
  readonly mediaType?: string;
  readonly annotations?: Record<string, string>;
}

// legacyLayer signs a payload the way cosign v2 does: over the exact layer bytes.
export function legacyLayer(pair: TestKeyPair, payload: Buffer): LegacyLayer {
  return { payload, signature: signBytes(pair, payload).toString('base64') };
}

// pushLegacy writes the `sha256-<hex>.sig` manifest for `digest` with the given layers.
export function pushLegacy(reg: MemoryRegistry, digest: string, layers: readonly LegacyLayer[]): void {
  const descriptors = layers.map((l) =>
    reg.putBlob(l.payload, l.mediaType ?? SIMPLE_SIGNING, {
      ...(l.signature !== undefined ? { 'dev.cosignproject.cosign/signature': l.signature } : {}),
      ...(l.annotations ?? {}),
    }),
  );
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: EMPTY_CONFIG, layers: descriptors };
  reg.putManifest(manifest, `${digest.replace(':', '-')}.sig`);
}

// keyAuthority is the compiled cosign authority `release` trusting `pair`, optionally under `signedIdentity`.
export function keyAuthority(
  pair: TestKeyPair,
  signedIdentity?: CompiledSignedIdentity,
): CompiledCosignAuthority {
  return {
    kind: 'cosign',
    referenceBound: signedIdentity !== undefined,
    name: 'release',
    keys: [pair.compiled],
    tlog: { required: false, rekorKeys: [] },
    attestations: [],
    ...(signedIdentity ? { signedIdentity } : {}),
  };
}
