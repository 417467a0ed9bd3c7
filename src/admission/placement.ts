import type { NodeRequirementFacts, PodPlacement } from './admission.types';
import type { JsonPatchOp } from './admission-review.types';
import { escapePointerSegment, ownField } from './shape';
import { isRecord } from '../guards';

/** Most nodeSelectorTerms, and expressions per term, read from one pod spec; more guarantee nothing. */
export const MAX_NODE_SELECTOR_TERMS = 64;

/**
 * Reads where a pod spec (attacker-controlled) asks to run. Anything unreadable is read as guaranteeing
 * nothing (fails closed): a malformed term keeps its place but loses its requirements, a requirement with a
 * non-string value loses its operator.
 */
export function toPodPlacement(spec: Readonly<Record<string, unknown>>): PodPlacement {
  const runtimeClassName = ownField(spec, 'runtimeClassName');
  const selector = ownField(spec, 'nodeSelector');
  const nodeSelector: Record<string, string> = {};
  if (isRecord(selector))
    for (const [key, value] of Object.entries(selector))
      if (typeof value === 'string') Object.defineProperty(nodeSelector, key, { value, enumerable: true });
  const requiredTerms = toRequiredTerms(spec);
  return {
    ...(typeof runtimeClassName === 'string' && runtimeClassName !== '' ? { runtimeClassName } : {}),
    nodeSelector,
    ...(requiredTerms === undefined ? {} : { requiredTerms }),
  };
}

// toRequiredTerms reads affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.
function toRequiredTerms(spec: Readonly<Record<string, unknown>>): NodeRequirementFacts[][] | undefined {
  let cur: unknown = spec;
  for (const key of ['affinity', 'nodeAffinity', 'requiredDuringSchedulingIgnoredDuringExecution']) {
    cur = isRecord(cur) ? ownField(cur, key) : undefined;
  }
  if (!isRecord(cur)) return undefined;
  const terms = ownField(cur, 'nodeSelectorTerms');
  if (!Array.isArray(terms)) return [[]];
  // More terms than we read: an extra term (ORed) could allow any node, so add one that guarantees nothing.
  const read = (terms as unknown[]).slice(0, MAX_NODE_SELECTOR_TERMS).map(toTerm);
  return terms.length > MAX_NODE_SELECTOR_TERMS ? [...read, []] : read;
}

// toTerm reads one term's matchExpressions (ANDed); matchFields only narrows further and is not needed.
function toTerm(term: unknown): NodeRequirementFacts[] {
  const list = isRecord(term) ? ownField(term, 'matchExpressions') : undefined;
  if (!Array.isArray(list)) return [];
  const out: NodeRequirementFacts[] = [];
  for (const entry of (list as unknown[]).slice(0, MAX_NODE_SELECTOR_TERMS)) {
    if (!isRecord(entry)) continue;
    const key = ownField(entry, 'key');
    const operator = ownField(entry, 'operator');
    const values = ownField(entry, 'values');
    if (typeof key !== 'string' || typeof operator !== 'string') continue;
    const list = Array.isArray(values) ? (values as unknown[]) : [];
    const strings = list.filter((v): v is string => typeof v === 'string');
    out.push({ key, operator: strings.length === list.length ? operator : '?', values: strings });
  }
  return out;
}

/** What /mutate adds to a pod spec for `placement.mutate: true` (computed by policy/decide/placement.ts). */
export interface PlacementPatchInput {
  /** JSON pointer of the pod spec. */
  readonly specPointer: string;
  readonly runtimeClassName?: string;
  readonly nodeSelector: readonly (readonly [string, string])[];
  /** The pod's nodeSelector as read: empty means the whole map is added at once. */
  readonly existing: Readonly<Record<string, string>>;
}

/**
 * The JSONPatch `add` operations for placement.mutate: the RuntimeClass (only ever computed when the pod
 * requests none) and each missing node selector label; never a replacement of a value the pod set.
 */
export function buildPlacementPatch(input: PlacementPatchInput): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  if (input.runtimeClassName !== undefined)
    ops.push({ op: 'add', path: `${input.specPointer}/runtimeClassName`, value: input.runtimeClassName });
  if (input.nodeSelector.length === 0) return ops;
  if (Object.keys(input.existing).length === 0) {
    ops.push({
      op: 'add',
      path: `${input.specPointer}/nodeSelector`,
      value: Object.fromEntries(input.nodeSelector),
    });
    return ops;
  }
  for (const [key, value] of input.nodeSelector)
    ops.push({ op: 'add', path: `${input.specPointer}/nodeSelector/${escapePointerSegment(key)}`, value });
  return ops;
}
