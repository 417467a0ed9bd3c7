import type { CompiledPolicy, NoMatchAction } from '../compile/compiled.types';
import type { AuthorityOutcome, ImageFacts, PolicyVerdict, UnboundExclusion } from './decision.types';
import type { PodPlacement } from '../../admission/admission.types';
import { encryptionLine, needsEncryptionState, placementLines } from './placement';

/** Why one image failed one policy (or failed without a policy). Drives the message and the hint. */
export type FailureKind =
  | 'invalid'
  | 'no-match'
  | 'digest-required'
  | 'not-ready'
  | 'resolve'
  | 'not-pinned'
  | 'authorities'
  | 'not-evaluated'
  | 'encryption'
  | 'placement';

export interface PolicyFailure {
  /** Absent for an invalid reference and for --no-match deny. */
  readonly policy?: CompiledPolicy;
  readonly kind: FailureKind;
  /** One line per reason, `[CODE] reason` or `authority "x": [CODE] reason`. */
  readonly lines: readonly string[];
  /** The first failing authority, for the hint. */
  readonly authority?: string;
}

/** A warning about one image, optionally from one policy. */
export interface Note {
  readonly policyId?: string;
  readonly text: string;
}

/** Everything decided about one image, before the request-level verdict. */
export interface ImageResult {
  readonly facts: ImageFacts;
  readonly verdicts: PolicyVerdict[];
  /** Failures that deny (unless break-glass): enforce policies, --no-match deny. */
  readonly enforce: PolicyFailure[];
  /** Failures that break-glass can never override (invalid reference). */
  readonly hard: PolicyFailure[];
  readonly warn: PolicyFailure[];
  readonly audit: PolicyFailure[];
  /** Warnings for the user that are not failures (onError allow, verifier warnings, --no-match warn). */
  readonly notes: Note[];
  /** True when every governing policy passed on a resolved digest with no exception. */
  readonly verified: boolean;
}

/**
 * Codes meaning "the registry or signature store could not be reached in time": only these may be
 * admitted under `registry.onError: allow`. An explicit list, so that a new code fails closed until
 * someone decides it is about availability: never auth, not-found or verification failures.
 */
export const AVAILABILITY_CODES: ReadonlySet<string> = new Set([
  'REGISTRY_UNREACHABLE',
  'REGISTRY_TIMEOUT',
  'REGISTRY_RATE_LIMITED',
  'ADMISSION_DEADLINE_EXCEEDED',
]);

/** Whether an error code is a registry availability or deadline problem (eligible for onError: allow). */
export function isAvailabilityErrorCode(code: string): boolean {
  return AVAILABILITY_CODES.has(code);
}

const DIGEST_IN_REFERENCE = /@[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

// hasDigest: did the pod spec pin a digest (requireDigest is about the reference, not the resolution)?
function hasDigest(facts: ImageFacts): boolean {
  return DIGEST_IN_REFERENCE.test(facts.normalized ?? facts.image);
}

// authorityLine renders one failing authority outcome.
function authorityLine(o: Extract<AuthorityOutcome, { ok: false }>): string {
  return `authority "${o.authority}": [${o.code}] ${o.reason}`;
}

interface PolicyEvaluation {
  readonly passed: boolean;
  readonly failure?: PolicyFailure;
  readonly notes: readonly string[];
  /** Passed only by the onError: allow exception; such an image is not "verified". */
  readonly exempted: boolean;
}

/** Request-level rules that shape every image's evaluation. */
export interface ImageRules {
  readonly noMatch: NoMatchAction;
  /** /validate of a Pod: a governed image must carry the digest that /mutate pinned (docs/policy.md). */
  readonly requirePinned: boolean;
  /** Where the pod asks to run, for spec.placement; undefined (nothing requested) for the CLI. */
  readonly placement?: PodPlacement;
  /** The placement is a workload's pod template (not a Pod): placement.mutate rules count as applied. */
  readonly template?: boolean;
}

// notPinnedLine explains ADMISSION_NOT_PINNED: a governed image reached validation by tag only.
function notPinnedLine(facts: ImageFacts): string {
  const now = facts.digest ? ` (the tag points to ${facts.digest} now)` : '';
  return (
    `[ADMISSION_NOT_PINNED] the Pod names this governed image by tag only${now}; Portcullis admits a governed ` +
    'image in a Pod only when it is pinned to the digest that was verified (name:tag@sha256:…)'
  );
}

// evaluatePolicy applies the per-policy rules of docs/policy.md#how-one-policy-judges-an-image to one image:
// signatures first, then what the image is (encryption) and where the pod runs it (placement).
function evaluatePolicy(facts: ImageFacts, policy: CompiledPolicy, rules: ImageRules): PolicyEvaluation {
  const signed = evaluateSignatures(facts, policy, rules.requirePinned);
  if (!signed.passed || signed.exempted) return signed;
  const fail = (kind: FailureKind, lines: string[]): PolicyEvaluation => ({
    passed: false,
    failure: { policy, kind, lines },
    notes: [],
    exempted: false,
  });
  if (needsEncryptionState(policy) && facts.encryption === undefined) {
    const { code, reason } = facts.encryptionError ?? {
      code: 'POLICY_NOT_EVALUATED',
      reason: 'the layer encryption of the image was not read',
    };
    return fail('encryption', [
      `[${code}] ${reason}; the policy judges encryption, so it denies (fail closed)`,
    ]);
  }
  const encryption = encryptionLine(policy, facts);
  if (encryption !== undefined) return fail('encryption', [encryption]);
  const placement = placementLines(policy, facts, rules.placement, rules.template === true);
  return placement.length > 0 ? fail('placement', placement) : signed;
}

// evaluateSignatures applies readiness, requireDigest, resolution, pinning and the authority threshold.
function evaluateSignatures(
  facts: ImageFacts,
  policy: CompiledPolicy,
  requirePinned: boolean,
): PolicyEvaluation {
  const fail = (kind: FailureKind, lines: string[], authority?: string): PolicyEvaluation => ({
    passed: false,
    failure: { policy, kind, lines, ...(authority ? { authority } : {}) },
    notes: [],
    exempted: false,
  });
  const outcomes = facts.outcomes[policy.id];
  const notReady = outcomes?.find(
    (o): o is Extract<AuthorityOutcome, { ok: false }> => !o.ok && o.code === 'POLICY_NOT_READY',
  );
  if (notReady) return fail('not-ready', [`[POLICY_NOT_READY] ${notReady.reason}`]);
  if (policy.requireDigest && !hasDigest(facts)) {
    return fail('digest-required', [
      `[POLICY_DIGEST_REQUIRED] the reference has no @sha256 digest and the policy sets requireDigest: true`,
    ]);
  }
  const allowOnError = policy.registry.onError === 'allow';
  if (facts.resolveError) {
    const { code, reason } = facts.resolveError;
    if (allowOnError && isAvailabilityErrorCode(code)) {
      return {
        passed: true,
        notes: [`admitted WITHOUT verification (registry.onError: allow): [${code}] ${reason}`],
        exempted: true,
      };
    }
    return fail('resolve', [`[${code}] ${reason}`]);
  }
  if (requirePinned && !hasDigest(facts)) return fail('not-pinned', [notPinnedLine(facts)]);
  if (!outcomes || !facts.digest) {
    const why = facts.skipped ? ` (${facts.skipped})` : '';
    return fail('not-evaluated', [
      `[POLICY_NOT_EVALUATED] no verification result for this policy${why}; denied to be safe`,
    ]);
  }
  const failed = outcomes.filter((o): o is Extract<AuthorityOutcome, { ok: false }> => !o.ok);
  const ok = outcomes.length - failed.length;
  const notes = outcomes.flatMap((o) =>
    o.ok ? o.warnings.map((w) => `authority "${o.authority}": ${w}`) : [],
  );
  if (policy.threshold >= 1 && ok >= policy.threshold) return { passed: true, notes, exempted: false };
  const unavailable = failed.filter((o) => isAvailabilityErrorCode(o.code));
  if (allowOnError && unavailable.length > 0 && ok + unavailable.length >= policy.threshold) {
    const why = unavailable.map((o) => `authority "${o.authority}" [${o.code}] ${o.reason}`).join('; ');
    return {
      passed: true,
      notes: [...notes, `admitted WITHOUT full verification (registry.onError: allow): ${why}`],
      exempted: true,
    };
  }
  const header = `[POLICY_THRESHOLD_NOT_MET] ${ok} of ${policy.authorities.length} authorities verified; ${policy.threshold} required`;
  return fail('authorities', [header, ...failed.map(authorityLine)], failed[0]?.authority);
}

/** Applies every governing policy (and --no-match) to one image. Pure. */
export function evaluateImageFacts(facts: ImageFacts, rules: ImageRules): ImageResult {
  const { noMatch } = rules;
  const result: ImageResult = {
    facts,
    verdicts: [],
    enforce: [],
    hard: [],
    warn: [],
    audit: [],
    notes: [],
    verified: false,
  };
  if (facts.invalid) {
    result.hard.push({ kind: 'invalid', lines: [`[${facts.invalid.code}] ${facts.invalid.reason}`] });
    return result;
  }
  if (facts.policies.length === 0) {
    const name = facts.normalized ?? facts.image;
    if (noMatch === 'deny') {
      result.enforce.push({
        kind: 'no-match',
        lines: [`[POLICY_NO_MATCH] no ImagePolicy or ClusterImagePolicy governs image ${name}`],
      });
    } else if (noMatch === 'warn') {
      result.notes.push({
        text: 'no ImagePolicy or ClusterImagePolicy governs it (--no-match warn); it was not verified',
      });
    }
    return result;
  }
  let verified = facts.digest !== undefined;
  if (facts.staleResolutionMinutes !== undefined) {
    // Admission on a remembered tag resolution must never be silent (docs/operations.md#registry-outages).
    result.notes.push({
      text: `registry down; tag pinned to its digest as resolved ${facts.staleResolutionMinutes}m ago (registry.onError: allowVerified)`,
    });
  }
  for (const policy of facts.policies) {
    const ev = withExclusionLine(evaluatePolicy(facts, policy, rules), policy.id, facts.unboundExclusion);
    result.verdicts.push({
      policyId: policy.id,
      mode: policy.mode,
      passed: ev.passed,
      reasons: ev.failure?.lines ?? [],
      authorities: facts.outcomes[policy.id] ?? [],
    });
    result.notes.push(...ev.notes.map((text) => ({ policyId: policy.id, text })));
    if (!ev.passed || ev.exempted) verified = false;
    if (ev.failure) result[policy.mode === 'enforce' ? 'enforce' : policy.mode].push(ev.failure);
  }
  return { ...result, verified };
}

// withExclusionLine tells the user, in the failure of a policy they may expect to be excluded by tag, why it
// judged the image anyway (docs/policy.md#tags-and-exclusions).
function withExclusionLine(
  ev: PolicyEvaluation,
  policyId: string,
  u: UnboundExclusion | undefined,
): PolicyEvaluation {
  if (ev.failure === undefined || u === undefined || !u.policyIds.includes(policyId)) return ev;
  const line =
    `its excludeImages entry for tag "${u.tag}" did not apply: ${u.why}; ` +
    'write the tag alone, or pin the digest the tag names now';
  return { ...ev, failure: { ...ev.failure, lines: [...ev.failure.lines, line] } };
}
