/** Named limits of the Notation verifier. Everything they bound comes from a registry (attacker-controlled). */

/** At most this many Notation signatures are examined per image and authority. */
export const MAX_NOTATION_SIGNATURES = 16;
/** Largest signature envelope (JWS or COSE) we fetch; real ones with a chain and a timestamp are ~10 KiB. */
export const MAX_ENVELOPE_BYTES = 256 * 1024;
/** Most certificates an envelope's x5c / x5chain (or a timestamp token) may carry. */
export const MAX_CERT_CHAIN_LENGTH = 10;
/** Deepest CBOR nesting accepted in a COSE envelope (COSE_Sign1 needs 4). */
export const MAX_CBOR_DEPTH = 8;
/** Most CBOR data items in one envelope. */
export const MAX_CBOR_ITEMS = 4096;
/** Largest RFC 3161 timestamp token we parse. */
export const MAX_TIMESTAMP_TOKEN_BYTES = 64 * 1024;
/** Largest CRL we download. */
export const MAX_CRL_BYTES = 8 * 1024 * 1024;
/** Longest a single CRL download may take, also bounded by the request's deadline. */
export const CRL_FETCH_TIMEOUT_MS = 5000;
/** Most CRL distribution points tried per certificate. */
export const MAX_CRL_URLS_PER_CERT = 4;
/** How many other signatures' reasons a failure lists besides the one that got furthest. */
export const MAX_OTHER_REASONS = 3;
