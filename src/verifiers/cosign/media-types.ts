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
/** Layer annotation present on keyless legacy signatures: the PEM Fulcio (or private PKI) certificate. */
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
/** Layer annotation with the PEM chain above the certificate; informative only (chains come from the root). */
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
/** Layer annotation with the Rekor entry and its SignedEntryTimestamp (SET). */
export const REKOR_BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
/** Layer annotation with an RFC 3161 timestamp over the signature. */
export const RFC3161_TIMESTAMP_ANNOTATION = 'dev.sigstore.cosign/rfc3161timestamp';
/** Media type of one legacy `.att` layer: a DSSE envelope. */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
/** `critical.type` of a cosign image signature payload. */
export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/** The legacy signature tag of a digest: `sha256-<hex>.sig`. */
export function toSignatureTag(digest: string): string {
  return `${digest.replace(':', '-')}.sig`;
}

/** The legacy attestation tag of a digest: `sha256-<hex>.att`. */
export function toAttestationTag(digest: string): string {
  return `${digest.replace(':', '-')}.att`;
}

/** The referrers fallback tag of a digest: `sha256-<hex>`. */
export function toReferrersTag(digest: string): string {
  return digest.replace(':', '-');
}
