import { quoteInput } from '../../reference/errors';
import type { CompiledPolicy } from '../compile/compiled.types';
import { NAMESPACE_NAME_LABEL, type NamespaceLabelFacts } from './namespace-labels';

/**
 * The policies that govern an image in a namespace (docs/policy.md): every ClusterImagePolicy whose
 * namespaceSelector matches the namespace's labels, or cannot be judged with the labels known (the strict
 * direction: see unjudgedSelectorNotes), and one of whose globs matches `imageName`, plus every ImagePolicy
 * of that namespace with a matching glob. `imageName` is the normalised `registry/repository`.
 * Works on broken-policy stand-ins too, so that they deny what they would have governed.
 */
export function selectPolicies<P extends CompiledPolicy>(
  policies: readonly P[],
  imageName: string,
  namespace: string,
  namespaceLabels: NamespaceLabelFacts,
): P[] {
  return policies.filter(
    (p) => appliesToNamespace(p, namespace, namespaceLabels) && matchesImage(p, imageName),
  );
}

// appliesToNamespace: an ImagePolicy only in its own namespace; a ClusterImagePolicy unless its selector rules it out.
function appliesToNamespace(p: CompiledPolicy, namespace: string, labels: NamespaceLabelFacts): boolean {
  if (p.kind === 'ImagePolicy') return p.namespace === namespace;
  return p.namespaceSelector === undefined || p.namespaceSelector.judge(labels) !== 'no-match';
}

/** Whether one of the policy's globs matches the normalised image name. */
export function matchesImage(p: CompiledPolicy, imageName: string): boolean {
  return p.images.some((m) => m.matches(imageName));
}

/**
 * One warning per policy (of `policies`, the ones that governed the request) that applies only because its
 * namespaceSelector reads labels that are unknown here: outside a cluster, with no `--namespace-labels`
 * entry for the namespace. Such a policy is never skipped silently.
 */
export function unjudgedSelectorNotes(
  policies: readonly CompiledPolicy[],
  namespace: string,
  namespaceLabels: NamespaceLabelFacts,
): string[] {
  const notes: string[] = [];
  const seen = new Set<string>();
  for (const p of policies) {
    if (seen.has(p.id) || p.namespaceSelector?.judge(namespaceLabels) !== 'unknown') continue;
    seen.add(p.id);
    const keys = p.namespaceSelector.keys.filter((k) => k !== NAMESPACE_NAME_LABEL);
    const quoted = keys.map((k) => `"${k}"`).join(', ');
    const needs = keys.length === 1 ? `label ${quoted}, which is` : `labels ${quoted}, which are`;
    const ns = quoteInput(namespace);
    notes.push(
      `[policy ${p.id}] applied to namespace ${ns}: its namespaceSelector needs ${needs} unknown outside a ` +
        `cluster (give --namespace-labels with an entry for ${ns})`,
    );
  }
  return notes;
}
