// Host-level rules: which registries may speak plain HTTP or unverified TLS, and which realms may get credentials.
import { isIP } from 'node:net';
import { egressRefusal } from './http/egress';
import { normaliseRegistryHost } from './keychain';

/** `host` without its port; IPv6 brackets removed (`[::1]:5000` → `::1`). */
export function hostnameOf(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(1, end);
  }
  const colon = host.lastIndexOf(':');
  return colon < 0 || host.indexOf(':') !== colon ? host : host.slice(0, colon);
}

/** Loopback: `localhost`, 127.0.0.0/8 and ::1. Like docker, these registries may be spoken to over plain HTTP. */
export function isLoopbackHost(host: string): boolean {
  const name = hostnameOf(host).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}

/** The set of registries configured with --insecure-registry, plus the loopback rule. */
export class InsecureRegistries {
  private readonly hosts: ReadonlySet<string>;

  constructor(hosts: readonly string[]) {
    this.hosts = new Set(hosts.map(normaliseRegistryHost));
  }

  /** True when `host` (HOST[:PORT]) may be reached over plain HTTP: configured insecure, or loopback. */
  has(host: string): boolean {
    return isLoopbackHost(host) || this.isConfigured(host);
  }

  /** True when `host` was named with --insecure-registry: HTTPS to it skips certificate checks. */
  isConfigured(host: string): boolean {
    return this.hosts.has(normaliseRegistryHost(host));
  }
}

/**
 * Whether a token realm URL may receive credentials for `registryHost` (the host in the request URL).
 * The rule: an https realm is fine, unless the egress rule refuses its host (a link-local, unspecified or
 * cloud-metadata address or name, in any encoding; names that resolve there are refused when connecting).
 * A plain-http realm is accepted only when the registry itself is insecure (configured or loopback) AND the
 * realm is on the registry's own hostname or on loopback, so credentials never cross the network in clear
 * text to a third host. Returns the reason for refusal, or undefined when allowed.
 */
export function realmProblem(
  realm: URL,
  registryHost: string,
  insecure: InsecureRegistries,
): string | undefined {
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:')
    return `realm scheme ${realm.protocol} is not http(s)`;
  if (realm.username !== '' || realm.password !== '') return 'realm URL carries credentials';
  const refused = egressRefusal(realm.hostname);
  if (refused !== undefined) return `realm host ${refused}`;
  const sameHost = hostnameOf(realm.host).toLowerCase() === hostnameOf(registryHost).toLowerCase();
  if (realm.protocol === 'https:') return undefined;
  if (!insecure.has(registryHost)) return 'realm is plain http but the registry is not an insecure registry';
  if (!sameHost && !isLoopbackHost(realm.host)) return 'plain-http realm is on another host';
  return undefined;
}
