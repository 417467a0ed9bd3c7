// Reads `credHelpers` and `credsStore` from a docker config: which helper answers for which registry.
import { isRecord } from '../../guards';
import { RegistryError } from '../errors';
import { normaliseRegistryHost } from '../keychain';

/** A helper name as docker builds `docker-credential-<name>` from it: no path separators, no shell syntax. */
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Which helper answers for a registry: `credHelpers[host]`, else `credsStore`, else none (use `auths`). */
export interface HelperRouting {
  readonly byHost: ReadonlyMap<string, string>;
  readonly store?: string;
}

/**
 * Reads the routing from a parsed docker config. Throws REGISTRY_CREDENTIALS_INVALID for a helper name that
 * is not a plain name (a path, `..`, spaces), so that no config can make us run an arbitrary file.
 */
export function parseHelperRouting(config: Record<string, unknown>): HelperRouting | undefined {
  const { credHelpers, credsStore } = config;
  const byHost = new Map<string, string>();
  if (credHelpers !== undefined) {
    if (!isRecord(credHelpers)) throw invalid('"credHelpers" is not an object');
    for (const [key, name] of Object.entries(credHelpers)) {
      const host = normaliseRegistryHost(key);
      byHost.set(host, toHelperName(name, `credHelpers entry for ${host}`));
    }
  }
  const store =
    credsStore === undefined || credsStore === '' ? undefined : toHelperName(credsStore, 'credsStore');
  if (byHost.size === 0 && store === undefined) return undefined;
  return { byHost, ...(store === undefined ? {} : { store }) };
}

/** The helper for a normalised registry host, if the routing names one. */
export function helperFor(routing: HelperRouting, registry: string): string | undefined {
  return routing.byHost.get(normaliseRegistryHost(registry)) ?? routing.store;
}

/** What docker writes on a helper's stdin for a registry: Docker Hub's legacy index URL, else the host. */
export function serverUrlFor(registry: string): string {
  const host = normaliseRegistryHost(registry);
  return host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
}

// toHelperName validates one helper name; the message quotes it only when it is short printable text.
function toHelperName(name: unknown, what: string): string {
  if (typeof name === 'string' && HELPER_NAME.test(name)) return name;
  const shown = typeof name === 'string' && /^[\x20-\x7e]{1,64}$/.test(name) ? ` "${name}"` : '';
  throw invalid(
    `the ${what}${shown} is not a helper name (letters, digits, ".", "_" and "-"; no path separators)`,
  );
}

// invalid builds the error for a bad helper entry; never quotes credentials.
function invalid(what: string): RegistryError {
  return new RegistryError(
    'REGISTRY_CREDENTIALS_INVALID',
    `invalid registry credentials: ${what}; fix the --docker-config file`,
  );
}
