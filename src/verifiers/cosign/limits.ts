/** Named limits of the cosign verifier. Everything they bound comes from a registry (attacker-controlled). */

/** At most this many signatures (bundles plus legacy layers) are examined per image and authority. */
export const MAX_SIGNATURES_PER_IMAGE = 32;
/** Largest sigstore bundle blob we fetch; key-signed bundles are ~1 KiB, keyless ones a few KiB. */
export const MAX_BUNDLE_BYTES = 256 * 1024;
/**
 * How many legacy `.sig` payload blobs of one image are fetched at once: an image with several signatures
 * costs about one round trip, and at most this many fetches are wasted when an early layer matches.
 */
export const LEGACY_BLOB_PREFETCH = 4;
/** Largest legacy simple-signing payload we fetch; cosign's are ~300 bytes plus optional annotations. */
export const MAX_SIMPLE_SIGNING_BYTES = 256 * 1024;
/** Longest base64 signature annotation we decode (RSA-8192 is 1368 characters). */
export const MAX_SIGNATURE_ANNOTATION_CHARS = 2048;
/** Longest keyless annotation we read (certificate, chain, Rekor bundle, RFC 3161 timestamp); real ones are 1–8 KiB. */
export const MAX_SIGSTORE_ANNOTATION_CHARS = 64 * 1024;
/** Largest legacy `.att` DSSE envelope we fetch; SBOM attestations can be large. */
export const MAX_ATTESTATION_BYTES = 4 * 1024 * 1024;
/** Longest certificate value (subject, issuer, extension) matched against a policy; longer never matches. */
export const MAX_IDENTITY_VALUE_CHARS = 4096;

/** Counts signatures examined so that one image cannot make us fetch without bound. */
export class SignatureBudget {
  private used = 0;
  /** True once a signature was refused because the budget was spent. */
  exhausted = false;

  constructor(private readonly limit: number = MAX_SIGNATURES_PER_IMAGE) {}

  /** How many units are left. */
  left(): number {
    return this.limit - this.used;
  }

  /** Takes one unit; false (and `exhausted`) when none is left. */
  take(): boolean {
    if (this.used >= this.limit) {
      this.exhausted = true;
      return false;
    }
    this.used += 1;
    return true;
  }
}
/** Keyless bundles whose certificate, SCT, tlog and timestamp checks passed, remembered per trusted root. */
export const MAX_VERIFIED_BUNDLES = 10_000;
