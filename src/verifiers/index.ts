/** Public surface of the verifiers layer. */
export { cosignVerifier } from './cosign';
export { verifyAuthority } from './dispatch';
export { VERIFY_ERROR_CODES, VerifyError, type VerifyErrorCode } from './errors';
export { verifyWithKey } from './signature';
export { toPreAuthEncoding } from './dsse';
export { MAX_BUNDLE_BYTES, MAX_SIGNATURES_PER_IMAGE, MAX_SIMPLE_SIGNING_BYTES } from './cosign/limits';
export type { Evidence, Verifier, VerifyContext, VerifyTarget } from './verifier.types';
