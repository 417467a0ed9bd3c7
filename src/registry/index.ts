// The registry layer's public surface: the OCI distribution client, keychains, errors and limits.
export { RegistryClient, type RegistryClientOptions } from './client';
export { ANONYMOUS, ChainedKeychain, Keychain, normaliseRegistryHost } from './keychain';
export { CredentialHelpers, fromOperatorDockerConfig } from './cred-helpers';
export * from './errors';
export * from './limits';
export * from './media-types';
export { isLoopbackHost } from './hosts';
export { parseWwwAuthenticate, type Challenge } from './www-authenticate';
export { isTrustDataReader, type TrustDataReader, type TrustFile } from './trust-data';
export { isLookasideReader, type LookasideFile, type LookasideReader } from './lookaside';
export type {
  Credential,
  CredentialSource,
  Descriptor,
  FetchedManifest,
  RegistryReader,
  RegistryRequestContext,
  RepositoryRef,
} from './registry.types';
