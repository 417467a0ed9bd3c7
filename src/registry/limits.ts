// Named limits of the registry client. Every number a hostile or broken registry could push against is here.

/** Largest manifest or index we read (OCI recommends registries accept at least 4 MiB; we read no more). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Default largest blob getBlob reads (signatures, attestations, DSSE envelopes: small documents). */
export const MAX_BLOB_BYTES = 16 * 1024 * 1024;

/** Redirects followed for one request (blob storage redirects once or twice). */
export const MAX_REDIRECTS = 5;

/** Retries after the first attempt, on 429, 502, 503, 504 and connection errors. */
export const MAX_RETRIES = 3;

/** First backoff delay; doubles per retry, with full jitter. */
export const RETRY_BASE_DELAY_MS = 200;

/** Longest single backoff delay, whatever Retry-After asks. */
export const RETRY_MAX_DELAY_MS = 10_000;

/** Pages of a paginated referrers response (`Link: <…>; rel="next"`) we follow. */
export const MAX_REFERRER_PAGES = 10;

/** Referrer descriptors returned for one subject; more are dropped (and logged). */
export const MAX_REFERRERS = 1000;

/** Longest next-page URL we read from a `Link` header (attacker-controlled). */
export const MAX_LINK_URL_CHARS = 2048;

/** Longest Retry-After header we parse (attacker-controlled); real ones are a number or an HTTP date. */
export const MAX_RETRY_AFTER_CHARS = 64;

/** Longest WWW-Authenticate header we parse (attacker-controlled). */
export const MAX_WWW_AUTHENTICATE_CHARS = 8 * 1024;

/** Largest token-endpoint response we read. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** Largest error body we read to quote the registry's error code in a message. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Token lifetime when the token server gives no `expires_in` (the Docker token spec's default). */
export const DEFAULT_TOKEN_TTL_SECONDS = 60;

/** A cached token is dropped this long before it expires, so it is never sent stale. */
export const TOKEN_EXPIRY_MARGIN_MS = 10_000;

/** Cached bearer tokens, across registries, scopes and credentials; the least recently used go first. */
export const MAX_CACHED_TOKENS = 1000;

/** Longest registry message we quote (attacker-controlled text). */
export const MAX_QUOTED_REGISTRY_TEXT = 200;
/** How long a registry without the OCI referrers API is sent straight to the tag schema (saves a request). */
export const NO_REFERRERS_API_TTL_MS = 10 * 60_000;
/** Registries whose capabilities are remembered at once; the least recently used are forgotten. */
export const MAX_REGISTRY_HOSTS_REMEMBERED = 1000;

/** Longest a `docker-credential-<name> get` may run before it is killed (ECR and GCR helpers call a cloud API). */
export const CRED_HELPER_TIMEOUT_MS = 5_000;

/** Most bytes a credential helper may print on stdout or stderr (each); real answers are a few KiB. */
export const MAX_CRED_HELPER_OUTPUT_BYTES = 64 * 1024;

/** How long a credential helper's answer (credentials or "not found") is reused per (helper, registry). */
export const CRED_HELPER_CACHE_TTL_MS = 60_000;

/** (helper, registry) answers kept; least recently used go first. */
export const MAX_CACHED_CRED_HELPER_ANSWERS = 256;
