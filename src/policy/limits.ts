// Kubernetes' own name limits, which policies, the Secrets they name and label selectors must respect.

/** Longest DNS-1123 subdomain: object names (policies, Secrets, ConfigMaps), Secret keys, label-key prefixes. */
export const MAX_DNS_SUBDOMAIN_LENGTH = 253;
/** Longest DNS-1123 label: namespace names, and label names and values. */
export const MAX_DNS_LABEL_LENGTH = 63;
/** Longest label key: a DNS-subdomain prefix, `/`, and a name. */
export const MAX_LABEL_KEY_LENGTH = MAX_DNS_SUBDOMAIN_LENGTH + 1 + MAX_DNS_LABEL_LENGTH;

// CEL attestation conditions (policy/authorities/cel.ts). The predicate they read is attacker-controlled: it is
// signed by a trusted identity, but its content (a vulnerability list, an SBOM) follows the image's content.

/** Deepest nesting of objects and arrays in a predicate a CEL condition reads; deeper fails the condition. */
export const MAX_CEL_PREDICATE_DEPTH = 64;
/** Most JSON values (objects, arrays, scalars) in a predicate a CEL condition reads; more fails the condition. */
export const MAX_CEL_PREDICATE_VALUES = 1_000_000;
/**
 * Cost units one evaluation of one condition may spend: one per function call and per comprehension element,
 * plus the length of the strings and lists an operation scans. Spending more fails the condition.
 */
export const MAX_CEL_COST = 1_000_000;

/** registry.maxStaleness when onError is allowVerified and none is given. */
export const DEFAULT_MAX_STALENESS_MS = 24 * 3_600_000;
/** The longest registry.maxStaleness honoured; also how long the engine remembers a verification. */
export const MAX_STALENESS_MS = 7 * 86_400_000;
/** The units registry.maxStaleness may use. */
export const STALENESS_UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
