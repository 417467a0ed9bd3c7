// A reference with both tag and digest (`repo:t@sha256:…`) runs the digest: the runtime ignores the tag. So a
// tag-limited excludeImages entry, which takes a policy off an image, applies to such a reference only while the
// tag resolves to that very digest (docs/adr/0010-tags-and-exclusions.md). Otherwise writing a tag next to any
// digest would pick which policies judge it.
import { selectionSubject } from '../policy';
import type { UnboundExclusion } from '../policy/decide/decision.types';
import type { NamespaceLabelFacts } from '../policy/decide/namespace-labels';
import type { PolicySnapshot } from '../policy-sources/snapshot';
import { shortDigest } from '../reference/format';
import type { ImageRef } from '../reference/reference.types';
import { governingPolicies, type GoverningPolicies } from './governing';
import { resolveDescriptor, type ImageEvaluationDeps, type ImageEvaluationInput } from './evaluate-image';
import { toFailure } from './outcomes';

/** The policies that govern an image, and the exclusions that did not apply because its tag is not bound. */
export interface BoundSelection {
  readonly governing: GoverningPolicies;
  readonly unbound?: UnboundExclusion;
}

/** Where the selection happens, and how to resolve the tag (with the credentials of the unbound selection). */
export interface TagBindingInput extends Pick<
  ImageEvaluationInput,
  'credentials' | 'credentialsKey' | 'deadline' | 'signal'
> {
  readonly snapshot: PolicySnapshot;
  readonly ref: ImageRef;
  readonly namespace: string;
  readonly labels: NamespaceLabelFacts;
  /** The selection with the tag not bound: a superset of the bound one. */
  readonly unbound: GoverningPolicies;
}

// withTagBinding keeps the unbound (stricter) selection unless a tag-limited exclusion would change it and the
// registry says, now, that the tag names the reference's digest. No stale resolution counts as proof.
export async function withTagBinding(
  input: TagBindingInput,
  deps: Pick<
    ImageEvaluationDeps,
    'registry' | 'resolutions' | 'resolved' | 'history' | 'metrics' | 'logger' | 'shared'
  >,
): Promise<BoundSelection> {
  const { ref, unbound } = input;
  if (ref.digest === undefined || ref.tag === undefined || !hasTagExclusion(unbound))
    return { governing: unbound };
  const bound = governingPolicies(input.snapshot, selectionSubject(ref, true), input.namespace, input.labels);
  if (bound.policies.length === unbound.policies.length) return { governing: unbound };
  const kept = new Set(bound.policies);
  const policyIds = unbound.policies.filter((p) => !kept.has(p)).map((p) => p.id);
  let why: string;
  try {
    const { digest } = await resolveDescriptor({ ...input, ref: withoutDigest(ref) }, deps);
    if (digest === ref.digest) return { governing: bound };
    why = `the tag names ${shortDigest(digest)}, not this digest`;
  } catch (error) {
    const failure = toFailure('registry', error);
    why = failure.ok
      ? 'the tag did not resolve'
      : `the tag did not resolve ([${failure.code}] ${failure.reason})`;
  }
  return { governing: unbound, unbound: { tag: ref.tag, policyIds, why } };
}

// hasTagExclusion: only a governing policy with a tag-limited exclusion can lose the image (the warm path of a
// pinned reference skips the second selection).
function hasTagExclusion(selection: GoverningPolicies): boolean {
  return selection.live.some((p) => p.excludeImages.some((e) => e.tags !== undefined));
}

// withoutDigest is the tag-only reference whose current digest the registry is asked for.
function withoutDigest(ref: ImageRef): ImageRef {
  const { registry, repository, name, tag, original } = ref;
  return { registry, repository, name, original, ...(tag !== undefined ? { tag } : {}) };
}
