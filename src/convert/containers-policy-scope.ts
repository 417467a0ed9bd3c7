// How containers/image picks the requirements for a docker image (containers-policy.json(5), "Policy Requirements";
// signature/policy_eval.go requirementsForImageRef and docker/policyconfiguration/naming.go), as Portcullis globs
// and a rank: the exact `repository:tag` identity first, then the repository and each parent namespace up to the
// host (longest first), then `*.domain` wildcards on the host without its port (longest first), then the
// transport's "" scope, then `default`. Scopes are compared as plain strings with the normalised name
// (`docker.io/library/busybox`), so a scope that is not such a name never matches anything.
import { tagProblem } from '../reference/components';
import { compileImageGlob } from '../reference/glob';

/** A scope's reach: the globs of the images it can decide, and its rank (higher is more specific). */
export type ScopeReach =
  | {
      readonly kind: 'globs';
      readonly globs: readonly string[];
      /** A `repository:tag` scope: only that tag (an images entry's `tags`). */
      readonly tags?: readonly string[];
      readonly rank: readonly number[];
    }
  /** The scope names a digest: Portcullis selects images by name and tag, never by digest. */
  | { readonly kind: 'digest'; readonly reason: string }
  /** No normalised docker reference can ever look this scope up. */
  | { readonly kind: 'never'; readonly reason: string };

const TIER_IDENTITY = 5;
const TIER_NAMESPACE = 4;
const TIER_WILDCARD = 3;
const TIER_TRANSPORT_DEFAULT = 2;
const TIER_DEFAULT = 1;
const DOCKER_HUB = 'docker.io';

/** The reach of the top-level `default` requirements (for docker images when no docker scope matches). */
export const DEFAULT_REACH: ScopeReach = { kind: 'globs', globs: ['**'], rank: [TIER_DEFAULT] };

// isHostLike mirrors the reference grammar: a first component is a registry host only with a dot, a port or
// as localhost; otherwise the normalised name starts with docker.io.
function isHostLike(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

// validGlobs keeps the scope only when every glob is a valid Portcullis glob (else no valid name matches it).
function validGlobs(globs: string[], rank: number[], scope: string): ScopeReach {
  try {
    for (const g of globs) compileImageGlob(g);
  } catch {
    return {
      kind: 'never',
      reason: `"${scope}" is not a normalised image name (reference grammar), so no image is ever looked up under it`,
    };
  }
  return { kind: 'globs', globs, rank };
}

/** The reach of one `transports.docker` scope. */
export function dockerScopeReach(scope: string): ScopeReach {
  if (scope === '') return { kind: 'globs', globs: ['**'], rank: [TIER_TRANSPORT_DEFAULT] };
  if (scope.startsWith('*.')) {
    const domain = scope.slice(2);
    if (domain === '' || /[/:*]/.test(domain))
      return { kind: 'never', reason: `"${scope}": a wildcard scope is "*." and a domain, nothing else` };
    // naming.go strips the port before making wildcards: *.example.com covers a.example.com:5000 too.
    return validGlobs([`${scope}/**`, `${scope}:*/**`], [TIER_WILDCARD, scope.length], scope);
  }
  if (scope.endsWith('/'))
    return {
      kind: 'never',
      reason: `"${scope}" ends with "/": containers/image looks scopes up by exact name ("${scope.slice(0, -1)}"), so this one matches no image`,
    };
  if (scope.includes('@'))
    return {
      kind: 'digest',
      reason: `"${scope}" names one digest; Portcullis selects images by name and tag, never by digest`,
    };
  const slash = scope.indexOf('/');
  const last = scope.slice(scope.lastIndexOf('/') + 1);
  if (slash > 0 && last.includes(':')) return taggedReach(scope);
  return nameReach(scope);
}

// taggedReach: a `repository:tag` scope is looked up as that exact identity, so it is the repository's glob
// limited to the tag, and ranks above every namespace scope.
function taggedReach(scope: string): ScopeReach {
  const colon = scope.lastIndexOf(':');
  const tag = scope.slice(colon + 1);
  const problem = tagProblem(tag);
  if (problem !== undefined) return { kind: 'never', reason: `"${scope}": ${problem}` };
  const repo = nameReach(scope.slice(0, colon));
  if (repo.kind !== 'globs') return repo;
  if (!repo.globs.includes(scope.slice(0, colon)))
    return {
      kind: 'never',
      reason: `"${scope}": "${scope.slice(0, colon)}" is never a normalised repository name (docker.io/library/…)`,
    };
  return { kind: 'globs', globs: [scope.slice(0, colon)], tags: [tag], rank: [TIER_IDENTITY, scope.length] };
}

// nameReach: a host, namespace or repository scope covers that name and everything below it.
function nameReach(scope: string): ScopeReach {
  const slash = scope.indexOf('/');
  const host = slash < 0 ? scope : scope.slice(0, slash);
  if (!isHostLike(host))
    return {
      kind: 'never',
      reason: `"${scope}" does not start with a registry host; names are looked up fully qualified (docker.io/library/…)`,
    };
  if (host === 'index.docker.io')
    return {
      kind: 'never',
      reason: `"${scope}": image names are normalised to docker.io, never index.docker.io`,
    };
  if (/[A-Z]/.test(host))
    return { kind: 'never', reason: `"${scope}": registry hosts are looked up in lower case` };
  const rank = [TIER_NAMESPACE, scope.length];
  if (slash < 0) return validGlobs([`${scope}/**`], rank, scope);
  // docker.io/x on its own is never a repository name (it is docker.io/library/x); only its sub-namespaces.
  const single = host === DOCKER_HUB && !scope.slice(slash + 1).includes('/');
  return validGlobs(single ? [`${scope}/**`] : [scope, `${scope}/**`], rank, scope);
}
