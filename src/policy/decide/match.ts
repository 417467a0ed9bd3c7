import { quoteInput } from '../../reference/errors';
import type { ImageRef } from '../../reference/reference.types';
import type { CompiledPolicy, ImageEntryMatcher } from '../compile/compiled.types';
import { NAMESPACE_NAME_LABEL, type NamespaceLabelFacts } from './namespace-labels';

/** What policy selection reads of an image reference (docs/policy.md#tags-and-exclusions). */
export interface SelectionSubject {
  /** The normalised `registry/repository`. */
  readonly name: string;
  /** The tag the reference names: as written, `latest` for a bare name, none for a digest-only reference. */
  readonly tag?: string;
  /**
   * Whether `tag` is known to name what runs: always without a digest; with one, only once the tag was seen to
   * resolve to it. A tag-limited `images` entry matches on the tag as written (it only adds a policy); a
   * tag-limited `excludeImages` entry removes a policy only when the tag is bound.
   */
  readonly tagBound: boolean;
}

/** The selection subject of a parsed reference; `tagBound` matters only when it has both tag and digest. */
export function selectionSubject(ref: ImageRef, tagBound: boolean): SelectionSubject {
  const tag = ref.tag ?? (ref.digest === undefined ? 'latest' : undefined);
  return {
    name: ref.name,
    ...(tag !== undefined ? { tag } : {}),
    tagBound: ref.digest === undefined || tagBound,
  };
}

/**
 * The policies that govern an image in a namespace (docs/policy.md): every ClusterImagePolicy whose
 * namespaceSelector matches the namespace's labels, or cannot be judged with the labels known (the strict
 * direction: see unjudgedSelectorNotes), and one of whose `images` entries matches and no `excludeImages` entry
 * excludes the image, plus every such ImagePolicy of that namespace.
 * Works on broken-policy stand-ins too, so that they deny what they would have governed.
 */
export function selectPolicies<P extends CompiledPolicy>(
  policies: readonly P[],
  image: SelectionSubject,
  namespace: string,
  namespaceLabels: NamespaceLabelFacts,
): P[] {
  return policies.filter((p) => appliesToNamespace(p, namespace, namespaceLabels) && matchesImage(p, image));
}

// appliesToNamespace: an ImagePolicy only in its own namespace; a ClusterImagePolicy unless its selector rules it out.
function appliesToNamespace(p: CompiledPolicy, namespace: string, labels: NamespaceLabelFacts): boolean {
  if (p.kind === 'ImagePolicy') return p.namespace === namespace;
  return p.namespaceSelector === undefined || p.namespaceSelector.judge(labels) !== 'no-match';
}

/** Whether the policy's `images` select the image and its `excludeImages` do not take it out again. */
export function matchesImage(p: CompiledPolicy, image: SelectionSubject): boolean {
  if (!p.images.some((e) => entryMatches(e, image.name, image.tag))) return false;
  const bound = image.tagBound ? image.tag : undefined;
  return !p.excludeImages.some((e) => entryMatches(e, image.name, bound));
}

// entryMatches: the glob matches the name, and a tag-limited entry also lists the tag (no tag: no match).
function entryMatches(entry: ImageEntryMatcher, name: string, tag: string | undefined): boolean {
  if (!entry.matches(name)) return false;
  return entry.tags === undefined || (tag !== undefined && entry.tags.has(tag));
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
