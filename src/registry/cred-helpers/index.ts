// The operator's docker config files: `auths`, plus `credHelpers`/`credsStore` run as helpers.
import { Keychain } from '../keychain';
import type { CredentialSource } from '../registry.types';
import { parseHelperRouting } from './config';
import { HelperKeychain, type CredentialHelpers } from './keychain';

export { CredentialHelpers, HelperKeychain, type HelperRunner } from './keychain';
export { runCredentialHelper, NOT_FOUND_MESSAGE } from './run';

/**
 * Parses a `--docker-config` file, honouring `credHelpers` and `credsStore` as the docker CLI does. Only the
 * operator's files get here: pull secrets and policies' `registry.credentials` are written by tenants and
 * never name a program for the webhook to run (docs/operations.md, "Credential helpers").
 */
export function fromOperatorDockerConfig(json: string, helpers: CredentialHelpers): CredentialSource {
  // Validates the JSON and `auths` first, with messages that never quote the content.
  const inline = Keychain.fromDockerConfigJson(json);
  const routing = parseHelperRouting(JSON.parse(json) as Record<string, unknown>);
  return routing === undefined ? inline : new HelperKeychain(routing, inline, helpers);
}
