import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConfigFileAuthenticationDetailsProvider,
  InstancePrincipalsAuthenticationDetailsProviderBuilder,
  OkeWorkloadIdentityAuthenticationDetailsProvider,
  Region,
  SimpleAuthenticationDetailsProvider,
  type AuthenticationDetailsProvider,
} from 'oci-common';
import type { CompiledOciVaultAuth } from '../../policy/compile/compiled.types';
import { registryError, type RegistryError } from '../../registry/errors';

/** Words for messages: how an authority authenticates, never with secret values. */
export function describeOciAuth(auth: CompiledOciVaultAuth): string {
  switch (auth.kind) {
    case 'apiKey':
      return `the API key of Secret ${auth.secret}`;
    case 'instancePrincipal':
      return 'instance principals';
    case 'workloadIdentity':
      return 'OKE workload identity';
    case 'configFile':
      return `profile ${auth.profile} of ${auth.configFile}`;
  }
}

// expandHome resolves `~/` the way the OCI CLI does for config file paths.
function expandHome(file: string): string {
  return file.startsWith('~/') ? path.join(os.homedir(), file.slice(2)) : file;
}

/**
 * Builds the oci-common authentication provider of an authority: an API key (SimpleAuthenticationDetailsProvider),
 * instance principals, OKE workload identity, or a config file. Instance principals and workload identity talk
 * to the instance metadata / proxymux services. Throws RegistryError REGISTRY_CREDENTIALS_INVALID naming the
 * method but never a secret.
 */
export async function toOciAuthProvider(
  auth: CompiledOciVaultAuth,
  region: string,
  endpoint: string,
): Promise<AuthenticationDetailsProvider> {
  try {
    switch (auth.kind) {
      case 'apiKey':
        return new SimpleAuthenticationDetailsProvider(
          auth.tenancy,
          auth.user,
          auth.fingerprint,
          auth.privateKey,
          auth.passphrase ?? null,
          Region.fromRegionId(region),
        );
      case 'configFile':
        return new ConfigFileAuthenticationDetailsProvider(expandHome(auth.configFile), auth.profile);
      case 'instancePrincipal':
        return await new InstancePrincipalsAuthenticationDetailsProviderBuilder().build();
      case 'workloadIdentity':
        return new OkeWorkloadIdentityAuthenticationDetailsProvider.OkeWorkloadIdentityAuthenticationDetailsProviderBuilder().build();
    }
  } catch (error) {
    throw credentialsError(auth, endpoint, error);
  }
}

// credentialsError explains an unusable auth method; an API key's error text is dropped (it may quote the key).
function credentialsError(auth: CompiledOciVaultAuth, endpoint: string, error: unknown): RegistryError {
  const why =
    auth.kind === 'apiKey' ? '' : `: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300);
  return registryError(
    'REGISTRY_CREDENTIALS_INVALID',
    { registry: endpoint },
    `cannot authenticate to the OCI APIs with ${describeOciAuth(auth)}${why}; fix ociVault.auth`,
    auth.kind === 'apiKey' ? {} : { cause: error },
  );
}
