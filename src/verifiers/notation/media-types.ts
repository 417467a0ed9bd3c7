/** Media types and header names of the Notary Project signature specification. */

/** artifactType of a Notation signature manifest (and its config mediaType in the older layout). */
export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
/** A flattened JWS JSON envelope. */
export const JWS_MEDIA_TYPE = 'application/jose+json';
/** A COSE_Sign1 envelope. */
export const COSE_MEDIA_TYPE = 'application/cose';
/** The `cty` of every Notary payload. */
export const NOTARY_PAYLOAD_TYPE = 'application/vnd.cncf.notary.payload.v1+json';

export const HEADER_SIGNING_SCHEME = 'io.cncf.notary.signingScheme';
export const HEADER_SIGNING_TIME = 'io.cncf.notary.signingTime';
export const HEADER_AUTHENTIC_SIGNING_TIME = 'io.cncf.notary.authenticSigningTime';
export const HEADER_EXPIRY = 'io.cncf.notary.expiry';
export const HEADER_VERIFICATION_PLUGIN = 'io.cncf.notary.verificationPlugin';
export const HEADER_VERIFICATION_PLUGIN_MIN_VERSION = 'io.cncf.notary.verificationPluginMinVersion';
export const HEADER_TIMESTAMP_SIGNATURE = 'io.cncf.notary.timestampSignature';
export const HEADER_SIGNING_AGENT = 'io.cncf.notary.signingAgent';

/** The two signing schemes of the Notary Project. */
export const SIGNING_SCHEMES = ['notary.x509', 'notary.x509.signingAuthority'] as const;
export type SigningScheme = (typeof SIGNING_SCHEMES)[number];
