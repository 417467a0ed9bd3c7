/** Public surface of the verifiers layer. */
export { cosignVerifier, createCosignVerifier } from './cosign/verifier';
export { notaryV1Verifier } from './notary-v1/verifier';
export { simpleSigningVerifier } from './simple-signing/verifier';
export { MAX_TUF_ROLE_BYTES } from './notary-v1/limits';
export { verifyAuthority, type ConfiguredVerifiers } from './dispatch';
export { createLazyOciVaultVerifier } from './oracle-vault/lazy';
export type { OciVaultVerifierOptions } from './oracle-vault/verifier';
export { createNotationVerifier, notationVerifier } from './notation/verifier';
export { createCrlFetcher, type CrlFetcherOptions } from './notation/crl-fetch';
export { createCrlRevocationChecker } from './notation/revocation';
export { VERIFY_ERROR_CODES, VerifyError, type VerifyErrorCode } from './errors';
export { verifyWithKey } from './kit/signature';
export { toPreAuthEncoding } from './kit/dsse';
export { MAX_BUNDLE_BYTES, MAX_SIGNATURES_PER_IMAGE, MAX_SIMPLE_SIGNING_BYTES } from './cosign/limits';
export type { Evidence, Verifier, VerifyContext, VerifyTarget } from './verifier.types';
