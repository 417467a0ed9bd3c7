import type { CompiledPolicy } from './compiled.types';
import type { PolicyCondition, PolicyStatus } from '../crd/crd.types';
import { formatFieldErrors, type PolicyError } from '../errors';
import { toPolicySummary } from './summary';

/** Longest condition message written to status (the CRD schema allows 32768). */
export const MAX_CONDITION_MESSAGE_CHARS = 8192;

/**
 * The status a policy should carry after a compile: a `Ready` condition that says whether it compiled
 * and, if not, every field error (e.g. which key failed to parse), plus `observedGeneration`.
 * `lastTransitionTime` is kept from `previous` when the Ready status did not change. With `spec`, also the
 * `summary` the printer columns show (globs and authorities, shortened).
 */
export function toPolicyStatus(
  generation: number,
  result: { readonly policy: CompiledPolicy } | { readonly error: PolicyError },
  now: Date,
  previous?: PolicyStatus,
  spec?: unknown,
): PolicyStatus {
  const ready = 'policy' in result;
  const status: PolicyCondition['status'] = ready ? 'True' : 'False';
  const message = ready
    ? `compiled: ${result.policy.authorities.length} authorities, ${result.policy.authorities.reduce((n, a) => n + ('keys' in a ? a.keys.length : 'rootKeys' in a ? a.rootKeys.length : 0), 0)} keys`
    : `not ready; images this policy governs are denied until it is fixed:\n${formatFieldErrors(result.error.fieldErrors)}`;
  const old = previous?.conditions?.find((c) => c.type === 'Ready');
  const condition: PolicyCondition = {
    type: 'Ready',
    status,
    observedGeneration: generation,
    lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now.toISOString(),
    reason: ready ? 'Compiled' : result.error.code,
    message: message.slice(0, MAX_CONDITION_MESSAGE_CHARS),
  };
  const others = (previous?.conditions ?? []).filter((c) => c.type !== 'Ready');
  const summary = spec === undefined ? {} : { summary: toPolicySummary(spec) };
  return { conditions: [...others, condition], observedGeneration: generation, ...summary };
}
