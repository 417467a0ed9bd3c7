import { MAX_DNS_LABEL_LENGTH } from '../limits';

/**
 * The label the API server sets on every namespace to the namespace's name. It cannot be removed or changed,
 * so it is known in every mode, with or without a cluster.
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * What is known of a namespace's labels when a request is judged. A ClusterImagePolicy's `namespaceSelector`
 * is judged against it (docs/policy.md, "namespaceSelector in every mode").
 */
export interface NamespaceLabelFacts {
  /** The labels known; always holds NAMESPACE_NAME_LABEL. */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * True when every label of the namespace is known (from the cluster, or from an entry in
   * `--namespace-labels`): a key that is not in `labels` is then absent. False: only the name label is known.
   */
  readonly complete: boolean;
}

/** Whether `name` is a valid namespace name (a DNS-1123 label). */
export function isNamespaceName(name: string): boolean {
  return name.length <= MAX_DNS_LABEL_LENGTH && DNS_LABEL.test(name);
}

/**
 * The label facts of `namespace`: `known` when a label source knows the namespace (complete), else only the
 * name label (incomplete). The name label is always the namespace's name, as the API server guarantees.
 */
export function toNamespaceLabelFacts(
  namespace: string,
  known: Readonly<Record<string, string>> | undefined,
): NamespaceLabelFacts {
  return {
    labels: { ...(known ?? {}), [NAMESPACE_NAME_LABEL]: namespace },
    complete: known !== undefined,
  };
}
