// Named limits of the public-good TrustedRoot refresh through TUF (docs/operations.md, "Limits").

/** Default `--tuf-refresh-interval`: how often the public-good root is looked up in the TUF mirror. */
export const DEFAULT_TUF_REFRESH_INTERVAL_MS = 60 * 60 * 1000;
/** Shortest `--tuf-refresh-interval`: a mirror is not polled more often than this. */
export const MIN_TUF_REFRESH_INTERVAL_MS = 60 * 1000;
/** Longest `--tuf-refresh-interval`: TUF timestamps of the public-good repository expire within days. */
export const MAX_TUF_REFRESH_INTERVAL_MS = 7 * 24 * 60 * 60 * 1000;
/** After a failed refresh the next try comes this soon (or at the interval, if that is sooner). */
export const TUF_RETRY_AFTER_FAILURE_MS = 5 * 60 * 1000;
/** One refresh as a whole: every TUF metadata file and the trusted_root.json target. */
export const TUF_REFRESH_TIMEOUT_MS = 60 * 1000;
/** One HTTP request to the TUF mirror (tuf-js aborts it with an AbortSignal). */
export const TUF_FETCH_TIMEOUT_MS = 15 * 1000;
/** Retries of one failed TUF request (connection errors and 5xx), within TUF_REFRESH_TIMEOUT_MS. */
export const TUF_FETCH_RETRIES = 1;
/** Characters of a failed refresh's reason (error messages from the TUF client, never file contents) logged. */
export const MAX_TUF_REASON_CHARS = 400;
