/** Named limits of the simple-signing verifier. Everything they bound comes from a lookaside store (attacker-controlled). */

/** Signatures read from a lookaside store per image and authority (containers/image reads up to 128). */
export const MAX_SIMPLE_SIGNATURES_PER_IMAGE = 32;
/** Largest lookaside signature file; skopeo's are under 1 KiB (RSA-4096 about 1.2 KiB). */
export const MAX_SIMPLE_SIGNATURE_BYTES = 64 * 1024;
/** Largest signed payload once decompressed; a real one is about 300 bytes. Bounds a compression bomb. */
export const MAX_SIMPLE_SIGNING_PAYLOAD_BYTES = 64 * 1024;
/**
 * How far in the future a signature's creation time may be: OpenPGP.js refuses a signature made after the time it
 * checks at, and images are often signed and deployed within seconds, from machines whose clocks differ a little.
 */
export const SIMPLE_SIGNING_CLOCK_SKEW_MS = 60_000;
