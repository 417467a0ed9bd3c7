// Named limits of the observability layer: how much a caller (or an attacker naming things) can make it hold.

/**
 * Distinct values one free-text metric label (registry, kind, namespace) keeps; later new values count as
 * `other`. Each value is one more time series held in memory and scraped forever.
 */
export const MAX_LABEL_VALUES = 256;

/**
 * Most bytes of log lines `serve` holds while stderr is slow to take them (writes are asynchronous and batched).
 * Beyond it lines are dropped rather than memory growing without bound.
 */
export const MAX_LOG_BUFFER_BYTES = 16 * 1024 * 1024;
