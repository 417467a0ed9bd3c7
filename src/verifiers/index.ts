/** Public surface of the verifiers layer. */
export { cosignVerifier } from './cosign';
export { notaryV1Verifier } from './notary-v1';
export { MAX_TUF_ROLE_BYTES } from './notary/limits';
export { verifyAuthority, type ConfiguredVerifiers } from './dispatch';
export { createOciVaultVerifier, ociVaultVerifier, type OciVaultVerifierOptions } from './oci-vault';
export { createNotationVerifier, notationVerifier } from './notation';
export { createCrlFetcher, type CrlFetcherOptions } from './notation/crl-fetch';
export { createCrlRevocationChecker } from './notation/revocation';
export { VERIFY_ERROR_CODES, VerifyError, type VerifyErrorCode } from './errors';
export { verifyWithKey } from './signature';
export { toPreAuthEncoding } from './dsse';
export { MAX_BUNDLE_BYTES, MAX_SIGNATURES_PER_IMAGE, MAX_SIMPLE_SIGNING_BYTES } from './cosign/limits';
export type { Evidence, Verifier, VerifyContext, VerifyTarget } from './verifier.types';
