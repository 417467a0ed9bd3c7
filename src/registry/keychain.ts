import { RegistryError } from './errors';
import type { Credential, CredentialSource, LookupContext } from './registry.types';
import { isRecord } from '../guards';

/** Hosts that all mean Docker Hub in docker config files. */
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/**
 * Normalises a docker config key or registry name to the host form ImageRef uses: no scheme, no path,
 * lower-case, port kept; every Docker Hub alias (`https://index.docker.io/v1/`) becomes `docker.io`.
 */
export function normaliseRegistryHost(key: string): string {
  let host = key.trim().toLowerCase();
  host = host.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  const slash = host.indexOf('/');
  if (slash >= 0) host = host.slice(0, slash);
  return DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host;
}

/** Pull credentials from one docker config (an imagePullSecret or `--docker-config` file). */
export class Keychain implements CredentialSource {
  private readonly byHost: ReadonlyMap<string, Credential>;

  constructor(byHost: ReadonlyMap<string, Credential>) {
    this.byHost = byHost;
  }

  /**
   * Parses `.dockerconfigjson` (`{"auths": {host: entry}}`) or legacy `.dockercfg` (`{host: entry}`), where an
   * entry has `auth` (base64 `user:pass`), `username`/`password`, `identitytoken` or `registrytoken`.
   * Throws RegistryError REGISTRY_CREDENTIALS_INVALID, whose message never quotes the content.
   */
  static fromDockerConfigJson(json: string): Keychain {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      // No cause: V8's JSON errors quote a snippet of the input, which may be a password.
      throw invalid('the docker config is not valid JSON');
    }
    if (!isRecord(parsed)) throw invalid('the docker config is not a JSON object');
    const auths = 'auths' in parsed ? parsed.auths : parsed;
    if (!isRecord(auths)) throw invalid('"auths" in the docker config is not an object');
    const byHost = new Map<string, Credential>();
    for (const [key, entry] of Object.entries(auths)) {
      if (!isRecord(entry)) continue;
      const host = normaliseRegistryHost(key);
      const credential = toCredential(host, entry);
      if (credential !== undefined && !byHost.has(host)) byHost.set(host, credential);
    }
    return new Keychain(byHost);
  }

  /** Credentials for a normalised registry host (with port, if any). */
  lookup(registry: string): Credential | undefined {
    return this.byHost.get(normaliseRegistryHost(registry));
  }

  /** Hosts this keychain knows (for diagnostics; never the secrets). */
  hosts(): string[] {
    return [...this.byHost.keys()];
  }
}

/** Several credential sources in order; the first that knows a host wins. */
export class ChainedKeychain implements CredentialSource {
  constructor(private readonly sources: readonly CredentialSource[]) {}

  async lookup(registry: string, ctx?: LookupContext): Promise<Credential | undefined> {
    for (const source of this.sources) {
      const found = await source.lookup(registry, ctx);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** A source with no credentials: every registry is tried anonymously. */
export const ANONYMOUS: CredentialSource = { lookup: () => undefined };

// toCredential reads one auths entry; explicit username/password win over `auth`, as docker does.
function toCredential(host: string, entry: Record<string, unknown>): Credential | undefined {
  const out: { username?: string; password?: string; identityToken?: string; registryToken?: string } = {};
  const str = (k: string): string | undefined =>
    typeof entry[k] === 'string' && entry[k] !== '' ? entry[k] : undefined;
  const username = str('username');
  const password = str('password');
  const auth = str('auth');
  if (username !== undefined && password !== undefined) {
    out.username = username;
    out.password = password;
  } else if (auth !== undefined) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (!/^[A-Za-z0-9+/=\s]+$/.test(auth) || colon <= 0) {
      throw invalid(`the "auth" entry for ${host} is not base64 of "username:password"`);
    }
    out.username = decoded.slice(0, colon);
    out.password = decoded.slice(colon + 1);
  }
  const identityToken = str('identitytoken');
  const registryToken = str('registrytoken');
  if (identityToken !== undefined) out.identityToken = identityToken;
  if (registryToken !== undefined) out.registryToken = registryToken;
  return Object.keys(out).length === 0 ? undefined : out;
}

// invalid builds the one error this file throws; `what` never contains secret values.
function invalid(what: string): RegistryError {
  return new RegistryError(
    'REGISTRY_CREDENTIALS_INVALID',
    `invalid registry credentials: ${what}; fix the imagePullSecret or --docker-config file`,
  );
}
