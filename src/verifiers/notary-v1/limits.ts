/** Named limits of the Notary v1 verifier. Everything they bound comes from a notary server (attacker-controlled). */

/** Largest TUF metadata file we read (root, timestamp, snapshot, targets or a delegation). */
export const MAX_TUF_ROLE_BYTES = 4 * 1024 * 1024;
/** Signatures examined per metadata file. */
export const MAX_TUF_SIGNATURES_PER_ROLE = 16;
/** Keys one root.json or one `delegations.keys` may list. */
export const MAX_TUF_KEYS = 256;
/** Delegated roles one targets file may list. */
export const MAX_TUF_DELEGATIONS_PER_ROLE = 256;
/** Delegation metadata files fetched for one verification. */
export const MAX_TUF_DELEGATIONS_LOADED = 16;
/** Deepest delegation chain followed (`targets/a/b/c/d` is depth 4). */
export const MAX_TUF_DELEGATION_DEPTH = 4;
