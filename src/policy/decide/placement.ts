import type { NodeRequirementFacts, PodPlacement } from '../../admission/admission.types';
import type { CompiledPlacement, CompiledPolicy } from '../compile/compiled.types';
import { quoteInput } from '../../reference/errors';
import type { ImageFacts, LayerEncryption } from './decision.types';

/** Whether a policy needs the digest's layer encryption: it judges encryption, or places encrypted images. */
export function needsEncryptionState(policy: CompiledPolicy): boolean {
  return policy.encryption !== 'any' || policy.placement?.when === 'encrypted';
}

// isEncrypted: does the image have at least one encrypted layer?
function isEncrypted(encryption: LayerEncryption | undefined): boolean {
  return encryption !== undefined && encryption.encrypted > 0;
}

/**
 * The `[CODE] reason` line of an encryption rule the image breaks, or undefined when it holds. Needs
 * `facts.encryption` when the rule is not `any` (the caller denies on encryptionError first).
 */
export function encryptionLine(policy: CompiledPolicy, facts: ImageFacts): string | undefined {
  const state = facts.encryption;
  if (policy.encryption === 'any' || state === undefined) return undefined;
  const image = `image ${facts.normalized ?? quoteInput(facts.image)} (${facts.digest ?? 'unresolved'})`;
  const platforms = state.manifests > 1 ? ` across ${state.manifests} platform manifests` : '';
  if (policy.encryption === 'required' && state.encrypted < state.layers) {
    const plain = state.layers - state.encrypted;
    return (
      `[POLICY_ENCRYPTION_REQUIRED] ${image} has ${plain} plaintext layer${plain === 1 ? '' : 's'} of ` +
      `${state.layers}${platforms}; policy ${policy.id} requires encryption: required`
    );
  }
  if (policy.encryption === 'forbidden' && state.encrypted > 0) {
    return (
      `[POLICY_ENCRYPTION_FORBIDDEN] ${image} has ${state.encrypted} encrypted layer${state.encrypted === 1 ? '' : 's'} ` +
      `of ${state.layers}${platforms}; policy ${policy.id} forbids encrypted images (encryption: forbidden)`
    );
  }
  return undefined;
}

/**
 * The `[CODE] reason` lines of what the pod's placement lacks for one policy's `spec.placement`; [] when the
 * placement holds or does not apply (no placement, `when: encrypted` and a plaintext image). Pure.
 */
export function placementLines(
  policy: CompiledPolicy,
  facts: ImageFacts,
  requested: PodPlacement | undefined,
  template = false,
): string[] {
  const rule = policy.placement;
  if (rule === undefined) return [];
  if (rule.when === 'encrypted' && !isEncrypted(facts.encryption)) return [];
  // A workload template is judged as the Pods it creates will be once /mutate added what it may add; each of
  // those Pods is judged again on its own admission, so nothing runs without the placement.
  const pod = template && rule.mutate ? withAdditions(requested, rule) : requested;
  const name = facts.normalized ?? quoteInput(facts.image);
  const lead =
    rule.when === 'encrypted'
      ? `image ${name} is encrypted; policy ${policy.id} requires`
      : `image ${name} is governed by policy ${policy.id}, which requires`;
  const lines: string[] = [];
  const runtimeClass = pod?.runtimeClassName;
  if (rule.runtimeClassNames.length > 0 && !rule.runtimeClassNames.includes(runtimeClass ?? '')) {
    const requested = runtimeClass === undefined ? 'none' : quoteInput(runtimeClass);
    lines.push(
      `[POLICY_PLACEMENT_RUNTIME_CLASS] ${lead} runtimeClassName one of [${rule.runtimeClassNames.join(', ')}]; ` +
        `the pod requests ${requested}`,
    );
  }
  for (const [key, value] of rule.nodeSelector) {
    const gaps = labelGaps(key, value, pod);
    if (gaps === undefined) continue;
    lines.push(
      `[POLICY_PLACEMENT_NODE_LABEL] ${lead} node label ${key}=${value}; the pod's nodeSelector and required ` +
        `node affinity do not guarantee it (${gaps})`,
    );
  }
  return lines;
}

/**
 * Why the pod does not guarantee node label key=value, or undefined when it does: its nodeSelector has the
 * pair, or it has required node affinity whose every term (terms are ORed) requires `key In [value]`.
 */
export function labelGaps(key: string, value: string, pod: PodPlacement | undefined): string | undefined {
  const selected = pod?.nodeSelector[key];
  if (selected === value) return undefined;
  const terms = pod?.requiredTerms;
  const lacking = (terms ?? []).flatMap((term, i) => (termGuarantees(term, key, value) ? [] : [i + 1]));
  if (terms !== undefined && terms.length > 0 && lacking.length === 0) return undefined;
  const selector =
    selected === undefined ? 'nodeSelector lacks it' : `nodeSelector sets ${key}=${quoteInput(selected)}`;
  if (terms === undefined) return `${selector}; no required node affinity`;
  if (terms.length === 0) return `${selector}; required node affinity has no terms`;
  const which = lacking.length === 1 ? 'term' : 'terms';
  return `${selector}; ${which} ${lacking.join(', ')} of ${terms.length} lack${lacking.length === 1 ? 's' : ''} it`;
}

// termGuarantees: does one nodeSelectorTerm (its expressions ANDed) only match nodes with key=value?
function termGuarantees(term: readonly NodeRequirementFacts[], key: string, value: string): boolean {
  return term.some(
    (r) => r.key === key && r.operator === 'In' && r.values.length > 0 && r.values.every((v) => v === value),
  );
}

/** What /mutate may add for one policy's placement: the RuntimeClass when none is requested, missing labels. */
export interface PlacementAdditions {
  readonly runtimeClassName?: string;
  readonly nodeSelector: readonly (readonly [string, string])[];
}

/**
 * What `placement.mutate: true` adds to a pod: the first RuntimeClass when the pod requests none, and each
 * required label the pod's nodeSelector lacks. A different RuntimeClass or a conflicting label value is never
 * overridden: /validate then denies with what is missing. Pure.
 */
export function placementAdditions(
  rules: readonly CompiledPlacement[],
  pod: PodPlacement,
): PlacementAdditions {
  const classes = rules.filter((r) => r.runtimeClassNames.length > 0).map((r) => r.runtimeClassNames);
  // One class every rule accepts, or nothing: adding a class that another rule refuses helps no one.
  const common = classes[0]?.find((c) => classes.every((list) => list.includes(c)));
  const runtimeClassName = pod.runtimeClassName === undefined ? common : undefined;
  const labels = new Map<string, string | undefined>();
  for (const rule of rules)
    for (const [key, value] of rule.nodeSelector) {
      if (labels.has(key) && labels.get(key) !== value)
        labels.set(key, undefined); // two rules disagree
      else if (!labels.has(key)) labels.set(key, value);
    }
  const nodeSelector = [...labels].filter(
    (e): e is [string, string] =>
      e[1] !== undefined && !Object.prototype.hasOwnProperty.call(pod.nodeSelector, e[0]),
  );
  return { ...(runtimeClassName === undefined ? {} : { runtimeClassName }), nodeSelector };
}

// withAdditions is the placement a Pod will have once placement.mutate added what it may for one rule.
function withAdditions(pod: PodPlacement | undefined, rule: CompiledPlacement): PodPlacement {
  const base: PodPlacement = pod ?? { nodeSelector: {} };
  const add = placementAdditions([rule], base);
  return {
    ...base,
    ...(add.runtimeClassName === undefined ? {} : { runtimeClassName: add.runtimeClassName }),
    nodeSelector: { ...base.nodeSelector, ...Object.fromEntries(add.nodeSelector) },
  };
}
