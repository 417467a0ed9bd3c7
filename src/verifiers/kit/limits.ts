/** Named limits shared by the verifiers. */

/** How many per-signature reasons a cosign or OCI Vault failure message lists before counting the rest. */
export const MAX_REASONS_IN_MESSAGE = 5;
