import type { CompiledPolicy } from './compiled.types';

/**
 * The policies that govern an image in a namespace (docs/policy.md): every ClusterImagePolicy whose
 * namespaceSelector matches the namespace's labels and one of whose globs matches `imageName`, plus every
 * ImagePolicy of that namespace with a matching glob. `imageName` is the normalised `registry/repository`.
 * Works on broken-policy stand-ins too, so that they deny what they would have governed.
 */
export function selectPolicies<P extends CompiledPolicy>(
  policies: readonly P[],
  imageName: string,
  namespace: string,
  namespaceLabels: Readonly<Record<string, string>>,
): P[] {
  return policies.filter(
    (p) => appliesToNamespace(p, namespace, namespaceLabels) && matchesImage(p, imageName),
  );
}

// appliesToNamespace: an ImagePolicy only in its own namespace; a ClusterImagePolicy where its selector matches.
function appliesToNamespace(
  p: CompiledPolicy,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (p.kind === 'ImagePolicy') return p.namespace === namespace;
  return p.namespaceSelector === undefined || p.namespaceSelector.matches(labels);
}

/** Whether one of the policy's globs matches the normalised image name. */
export function matchesImage(p: CompiledPolicy, imageName: string): boolean {
  return p.images.some((m) => m.matches(imageName));
}
