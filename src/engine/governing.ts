import { selectPolicies, type SelectionSubject } from '../policy';
import type { CompiledPolicy } from '../policy/compile/compiled.types';
import type { AuthorityOutcome } from '../policy/decide/decision.types';
import type { NamespaceLabelFacts } from '../policy/decide/namespace-labels';
import type { PolicySnapshot } from '../policy-sources/snapshot';

/** The policies that govern one image in one namespace: the compiled ones, and broken ones with their failure. */
export interface GoverningPolicies {
  readonly live: readonly CompiledPolicy[];
  /** Broken policies that would govern the image, with a failing outcome each (they deny; no I/O needed). */
  readonly broken: {
    readonly policies: readonly CompiledPolicy[];
    readonly outcomes: Readonly<Record<string, readonly AuthorityOutcome[]>>;
  };
  /** live then broken: empty means ungoverned (--no-match decides, and no registry is contacted). */
  readonly policies: readonly CompiledPolicy[];
}

// governingPolicies selects, purely, every policy that governs `image` here; /validate and /mutate share it.
// Broken policies ignore excludeImages (compile-set.ts), so they still deny everything they might govern.
export function governingPolicies(
  snapshot: PolicySnapshot,
  image: SelectionSubject,
  namespace: string,
  labels: NamespaceLabelFacts,
): GoverningPolicies {
  const live = selectPolicies(snapshot.policies, image, namespace, labels);
  const stand = snapshot.broken.map((b) => b.policy);
  const matched = new Set(selectPolicies(stand, image, namespace, labels));
  const outcomes: Record<string, readonly AuthorityOutcome[]> = {};
  const brokenPolicies: CompiledPolicy[] = [];
  for (const b of snapshot.broken) {
    if (!matched.has(b.policy)) continue;
    brokenPolicies.push(b.policy);
    outcomes[b.policy.id] = [{ authority: 'policy', ok: false, code: b.code, reason: b.reason }];
  }
  return {
    live,
    broken: { policies: brokenPolicies, outcomes },
    policies: [...live, ...brokenPolicies],
  };
}
