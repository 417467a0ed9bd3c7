/** Named limits of the OCI Vault (OCIR image signature) verifier. */

/** Signatures asked for per ListContainerImageSignatures page (the API's `limit`). */
export const OCI_SIGNATURES_PAGE_SIZE = 50;
/** Pages followed through `opc-next-page` before giving up (attacker- or misconfiguration-driven loops). */
export const MAX_OCI_SIGNATURE_PAGES = 10;
/** Signatures examined per image and authority, over all pages. */
export const MAX_OCI_SIGNATURES = 200;
/** Largest API response body read (a page of 50 signatures is about 100 KiB). */
export const MAX_OCI_RESPONSE_BYTES = 1024 * 1024;
/** Largest decoded signed message: the KMS Sign API signs RAW messages of at most 4096 bytes. */
export const MAX_OCI_MESSAGE_BYTES = 4096;
/** Attempts per API call (first try plus retries on 429/5xx/connection errors), within the deadline. */
export const MAX_OCI_ATTEMPTS = 3;
/** An attempt is not started with less time than this left before the admission deadline. */
export const MIN_OCI_ATTEMPT_MS = 200;
/** First retry delay; doubled per attempt, capped by what remains of the deadline. */
export const OCI_RETRY_BASE_DELAY_MS = 100;
/** Public keys of key versions kept in memory (a key version's public key never changes). */
export const MAX_CACHED_OCI_PUBLIC_KEYS = 256;
