import type { JsonPatchOp } from '../admission/admission-review.types';
import type { ImageUse, PodFacts } from '../admission/admission.types';
import { buildPlacementPatch } from '../admission/placement';
import type { CompiledPlacement, CompiledPolicy } from '../policy/compile/compiled.types';
import { placementAdditions } from '../policy/decide/placement';
import { parseUse, resolveDescriptor } from './evaluate-image';
import { governingPolicies } from './governing';
import { selectionSubject } from '../policy';
import { readLayerEncryption, type EncryptionCache } from './image-encryption';
import type { PinDeps, PinInput } from './pin-request';

/** What placement mutation needs beyond pinning: the encryption cache, for `placement.when: encrypted`. */
export interface PlacementDeps extends PinDeps {
  readonly encryption?: EncryptionCache;
}

/**
 * The JSONPatch that `placement.mutate: true` asks for: for every judged governed image whose policy
 * mutates placement (and, with `when: encrypted`, whose digest has an encrypted layer), the RuntimeClass
 * and node labels the pod lacks. A Pod only on CREATE (its placement is immutable); workload templates
 * whenever reviewed. Never throws for a registry failure: nothing is added and /validate judges the pod.
 */
export async function placementPatch(
  input: PinInput,
  deps: PlacementDeps,
  pinned: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<JsonPatchOp[]> {
  const { facts } = input;
  const pod = facts.pod;
  if (pod?.placement === undefined || pod.specPointer === undefined) return [];
  if (facts.isPod && facts.request.operation !== 'CREATE') return [];
  const rules: CompiledPlacement[] = [];
  for (const use of facts.judged) rules.push(...(await mutatingRules(use, input, deps, pod, pinned, signal)));
  if (rules.length === 0) return [];
  const additions = placementAdditions(rules, pod.placement);
  return buildPlacementPatch({
    specPointer: pod.specPointer,
    ...additions,
    existing: pod.placement.nodeSelector,
  });
}

// mutatingRules lists the placement rules with mutate: true that apply to one image field.
async function mutatingRules(
  use: ImageUse,
  input: PinInput,
  deps: PlacementDeps,
  pod: PodFacts,
  pinned: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<CompiledPlacement[]> {
  const parsed = parseUse(use);
  if ('facts' in parsed) return [];
  const ns = input.facts.request.namespace;
  const { live } = governingPolicies(
    input.snapshot,
    selectionSubject(parsed.ref, false),
    ns,
    input.namespaceLabels,
  );
  const mutating = live.filter((p) => p.placement?.mutate === true);
  const out: CompiledPlacement[] = [];
  for (const policy of mutating) {
    const rule = policy.placement as CompiledPlacement;
    if (
      rule.when === 'always' ||
      (await isEncrypted(use, parsed.ref, input, deps, pod, live, pinned, signal))
    )
      out.push(rule);
  }
  return out;
}

// isEncrypted reads the layer encryption of the digest the image runs; false when it cannot be read.
async function isEncrypted(
  use: ImageUse,
  ref: Parameters<typeof resolveDescriptor>[0]['ref'],
  input: PinInput,
  deps: PlacementDeps,
  pod: PodFacts,
  live: readonly CompiledPolicy[],
  pinned: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    const ns = input.facts.request.namespace;
    const credentials = await input.credentialsFor(live, pod, ns);
    const ctx = { deadline: input.deadline, credentials: credentials.source, signal };
    const digest =
      ref.digest ??
      pinned.get(use.pointer) ??
      (
        await resolveDescriptor(
          {
            ref,
            credentials: credentials.source,
            credentialsKey: credentials.key,
            deadline: input.deadline,
            signal,
          },
          deps,
        )
      ).digest;
    let state = deps.encryption?.get(digest);
    if (state === undefined) {
      state = await readLayerEncryption(
        deps.registry,
        { registry: ref.registry, repository: ref.repository },
        digest,
        ctx,
      );
      deps.encryption?.set(digest, state);
    }
    return state.encrypted > 0;
  } catch {
    return false; // nothing is added; /validate reads the state again and denies what is missing
  }
}
