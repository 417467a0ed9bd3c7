// The `registry` label of portcullis_registry_requests_total: only hosts that the loaded policies name. Any other
// host (one a pod names under a `**` glob, a redirect target) counts as `other`, so a pod cannot create series.
import type { PolicySnapshot } from '../policy-sources/snapshot';
import type { CompiledPolicy } from '../policy/compile/compiled.types';
import { compileImageGlob } from '../reference/glob';
import { OTHER_LABEL } from './metrics';

/**
 * The registry hosts a snapshot's policies name: the host of every `images` glob whose registry part is literal
 * (normalised as images are: `nginx` is on `docker.io`), the host of every Notary server and lookaside store.
 */
export function knownRegistryHosts(snapshot: PolicySnapshot): ReadonlySet<string> {
  const hosts = new Set<string>();
  const policies: readonly CompiledPolicy[] = [...snapshot.policies, ...snapshot.broken.map((b) => b.policy)];
  for (const policy of policies) {
    for (const matcher of policy.images) {
      const host = globHost(matcher.glob);
      if (host !== undefined) hosts.add(host);
    }
    for (const authority of policy.authorities) {
      if (authority.kind === 'notaryV1') hosts.add(new URL(authority.server).host);
      if (authority.kind === 'simpleSigning') hosts.add(new URL(authority.lookaside).host);
    }
  }
  return hosts;
}

/** Maps a registry host to its label; the known hosts are derived once per policy snapshot, not per request. */
export class RegistryLabels {
  private snapshot: PolicySnapshot | undefined;
  private known: ReadonlySet<string> = new Set();

  constructor(private readonly current: () => PolicySnapshot) {}

  /** The host itself when a loaded policy names it, else `other`. */
  label(host: string): string {
    const snapshot = this.current();
    if (snapshot !== this.snapshot) {
      this.known = knownRegistryHosts(snapshot);
      this.snapshot = snapshot;
    }
    return this.known.has(host) ? host : OTHER_LABEL;
  }
}

// globHost is the literal registry host of a glob, or undefined when the host has a wildcard (or for `**`).
function globHost(glob: string): string | undefined {
  let normalized: string;
  try {
    normalized = compileImageGlob(glob).normalized;
  } catch {
    return undefined; // a broken policy's glob: it governs nothing that reaches a registry
  }
  const slash = normalized.indexOf('/');
  const host = slash < 0 ? normalized : normalized.slice(0, slash);
  return slash < 0 || host.includes('*') ? undefined : host;
}
