// Named limits of the observability layer: how much a caller (or an attacker naming things) can make it hold.

/**
 * Distinct values one free-text metric label (registry, kind, namespace) keeps; later new values count as
 * `other`. Each value is one more time series held in memory and scraped forever.
 */
export const MAX_LABEL_VALUES = 256;
