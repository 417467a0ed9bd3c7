// A local Sigstore for keyless tests: start it once per test file with startSigstore(), sign and attest with
// the real cosign through it, and hand its trusted root to the verifier under test. docs/testing.md describes
// what runs and with which flags.
export {
  startSigstore,
  type Issuers,
  type Sigstore,
  type SigstoreOptions,
  type TokenOptions,
} from './services';
export {
  attestKeyless,
  runCosign,
  runCosignIn,
  signKeyless,
  verifyKeyless,
  COSIGN_KEYLESS_TIMEOUT_MS,
  type CosignRun,
  type KeylessAttestOptions,
  type KeylessSignOptions,
  type KeylessVerifyOptions,
  type SignatureFormat,
} from './cosign-keyless';
export { signWithCertificate, type CertificateSignOptions } from './cosign-certificate';
export {
  startOidcIssuer,
  DEFAULT_TOKEN_TTL_S,
  SIGSTORE_AUDIENCE,
  type Claims,
  type MintOptions,
  type OidcIssuer,
} from './oidc-issuer';
export {
  emailClaims,
  githubCertificateIdentity,
  githubClaims,
  workflowRef,
  DEFAULT_WORKFLOW,
  type GithubWorkflow,
} from './tokens';
export { createPrivateCa, issueCodeSigning, type Issued, type LeafIdentity, type PrivateCa } from './pki';
export { startCtLog, CT_LOG_ORIGIN, type CtLog } from './ct-log';
export { startFulcio, type Fulcio, type FulcioIssuer, type FulcioIssuerType } from './fulcio';
export { startRekor, REKOR_ORIGIN, type Rekor } from './rekor';
export { startTimestampAuthority, type TimestampAuthority } from './timestamp-authority';
export { writeSigningConfig, writeTrustedRoot, type ServiceMaterial, type SigningServices } from './trust';
export { isolatedEnv, sigstoreTool, DEAD_PROXY, type SigstoreTool } from './child-env';
export {
  createRekorV1Log,
  type LoggedSignature,
  type RekorV1Bundle,
  type RekorV1Log,
  type RekorV1Payload,
} from './rekor-v1-log';
