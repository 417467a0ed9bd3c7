// Kubernetes' own name limits, which policies, the Secrets they name and label selectors must respect.

/** Longest DNS-1123 subdomain: object names (policies, Secrets, ConfigMaps), Secret keys, label-key prefixes. */
export const MAX_DNS_SUBDOMAIN_LENGTH = 253;
/** Longest DNS-1123 label: namespace names, and label names and values. */
export const MAX_DNS_LABEL_LENGTH = 63;
/** Longest label key: a DNS-subdomain prefix, `/`, and a name. */
export const MAX_LABEL_KEY_LENGTH = MAX_DNS_SUBDOMAIN_LENGTH + 1 + MAX_DNS_LABEL_LENGTH;
