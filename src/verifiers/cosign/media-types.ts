/** Media types, annotations and statement types of cosign's signature formats (see docs/cosign.md). */

/** artifactType of a sigstore bundle referrer, v0.3 as cosign v3 writes it, and the older spellings. */
export const BUNDLE_ARTIFACT_TYPES: readonly string[] = [
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.1',
];
/** The bundle layer's media type starts with this (cosign's own filter). */
export const BUNDLE_LAYER_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** Manifest annotation cosign v3 sets on bundle referrers; a hint only, never trusted for acceptance. */
export const PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
/** The predicateType of a cosign v3 image signature. Any other predicateType is an attestation. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
/** in-toto statement `_type` values we accept. */
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = [
  'https://in-toto.io/Statement/v1',
  'https://in-toto.io/Statement/v0.1',
];

/** Media type of one legacy `.sig` layer: the simple-signing payload. */
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
/** Layer annotation holding the base64 signature over the exact layer bytes. */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Layer annotation present on keyless legacy signatures. */
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
/** `critical.type` of a cosign image signature payload. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** The legacy signature tag of a digest: `sha256-<hex>.sig`. */
export function toSignatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** The referrers fallback tag of a digest: `sha256-<hex>`. */
export function toReferrersTag(digest: string): string {
  return digest.replace(':', '-');
}
