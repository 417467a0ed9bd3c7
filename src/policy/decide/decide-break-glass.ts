// The break-glass part of the pure decision: why a request may not break glass, and what the user is told.
import { quoteInput } from '../../reference/errors';
import {
  BREAK_GLASS_ANNOTATIONS,
  BREAK_GLASS_REASON_ANNOTATION,
  DEFAULT_BREAK_GLASS_SETTINGS,
  MAX_BREAK_GLASS_REASON_CHARS,
  isTrustedController,
  type BreakGlassSettings,
  type ReasonCheck,
} from './break-glass';
import type { CompiledPolicy } from '../compile/compiled.types';
import type { ImageResult, PolicyFailure } from './decide-image';
import type { RequestFacts } from './decision.types';

/** At most this many of the user's groups are named in a refusal; the rest are counted. */
export const MAX_BREAK_GLASS_GROUPS_NAMED = 10;

// settingsOf: the webhook's break-glass settings for this request (the defaults when none were given).
export function settingsOf(request: RequestFacts): BreakGlassSettings {
  return request.breakGlassSettings ?? DEFAULT_BREAK_GLASS_SETTINGS;
}

/**
 * Why break-glass may not admit this request, one line per cause (empty: it may). Failing policies must
 * allow it and get a valid reason when they require one; an ungoverned image needs `--break-glass-ungoverned
 * admit`; and every governing policy with `allowedGroups`, failing or not, must count the user among them
 * unless the user is a trusted controller.
 */
export function breakGlassRefusals(
  request: RequestFacts,
  results: readonly ImageResult[],
  denied: readonly ImageResult[],
  reason: ReasonCheck,
): string[] {
  const out = new Set<string>();
  for (const r of denied) {
    for (const f of r.enforce) {
      const line = failureRefusal(f, reason, settingsOf(request));
      if (line) out.add(line);
    }
  }
  for (const line of groupRefusals(request, results)) out.add(line);
  return [...out];
}

/** Refusals that hold whoever asks (ungoverned images): the hint then does not suggest break-glass. */
export function standingRefusals(request: RequestFacts, denied: readonly ImageResult[]): string[] {
  const ungoverned = denied.some((r) => r.enforce.some((f) => !f.policy && f.kind === 'no-match'));
  return ungoverned && settingsOf(request).ungoverned === 'deny' ? [UNGOVERNED_REFUSAL] : [];
}

const UNGOVERNED_REFUSAL =
  'break-glass cannot admit an image that no policy governs (this webhook runs with --break-glass-ungoverned deny)';

// failureRefusal: why one failing enforce policy (or --no-match deny) refuses break-glass, if it does.
function failureRefusal(
  f: PolicyFailure,
  reason: ReasonCheck,
  settings: BreakGlassSettings,
): string | undefined {
  if (!f.policy)
    return f.kind === 'no-match' && settings.ungoverned === 'deny' ? UNGOVERNED_REFUSAL : undefined;
  const bg = f.policy.breakGlass;
  const id = f.policy.id;
  if (!bg.allowed) return `policy ${id} sets breakGlass.allowed: false`;
  if (!bg.requireReason) return undefined;
  switch (reason.kind) {
    case 'absent':
      return `policy ${id} requires a reason: set annotation ${BREAK_GLASS_REASON_ANNOTATION}`;
    case 'invisible':
      return `policy ${id} requires a reason, and annotation ${BREAK_GLASS_REASON_ANNOTATION} has no visible character (only spaces, zero-width, control or combining characters): write what happened`;
    case 'too-long':
      return `policy ${id} requires a reason of at most ${MAX_BREAK_GLASS_REASON_CHARS} characters, and annotation ${BREAK_GLASS_REASON_ANNOTATION} has ${reason.length}: shorten it (link the incident for details)`;
    case 'ok':
      return undefined;
  }
}

// policiesOfObject lists, once each, the policies governing any image of the object (judged now or not).
function policiesOfObject(request: RequestFacts, results: readonly ImageResult[]): CompiledPolicy[] {
  const byId = new Map<string, CompiledPolicy>();
  for (const p of [...results.flatMap((r) => r.facts.policies), ...(request.breakGlassPolicies ?? [])])
    if (!byId.has(p.id)) byId.set(p.id, p);
  return [...byId.values()];
}

// groupRefusals: the policies whose allowedGroups exclude this (non-controller) user. Judged whether the
// images pass or not, since Pods that controllers later create from this object inherit its break-glass.
function groupRefusals(request: RequestFacts, results: readonly ImageResult[]): string[] {
  if (isTrustedController(settingsOf(request), request.userName)) return [];
  const annotation = request.breakGlassAnnotation ?? BREAK_GLASS_ANNOTATIONS[0];
  const out: string[] = [];
  for (const p of policiesOfObject(request, results)) {
    const { allowed, allowedGroups } = p.breakGlass;
    if (!allowed || allowedGroups.length === 0) continue;
    if (allowedGroups.some((g) => request.userGroups.includes(g))) continue;
    const groups = allowedGroups.join(', ');
    out.push(
      `user ${quoteInput(request.userName)} (groups: ${describeGroups(request.userGroups)}) is in none of the groups policy ${p.id} allows to break glass (${groups}): ` +
        `only they may request break-glass, even on an object whose images pass today, since Pods that controllers create from it inherit the request; ` +
        `ask a member of ${groups} to apply it, or remove annotation ${annotation}`,
    );
  }
  return out;
}

// describeGroups names the user's groups (from the authenticator), bounded.
function describeGroups(groups: readonly string[]): string {
  if (groups.length === 0) return 'none';
  const named = groups.slice(0, MAX_BREAK_GLASS_GROUPS_NAMED).map(quoteInput).join(', ');
  return groups.length > MAX_BREAK_GLASS_GROUPS_NAMED
    ? `${named}, … ${groups.length - MAX_BREAK_GLASS_GROUPS_NAMED} more`
    : named;
}

/** The denial of a request whose images pass but whose break-glass request is refused (a planted annotation). */
export function formatRefusalOnly(refusals: readonly string[]): string {
  return [
    'every image passes its policies, but the object requests break-glass, which is refused:',
    `break-glass refused: [POLICY_BREAK_GLASS_REFUSED] ${refusals.join('; ')}`,
    'hint: remove the break-glass annotation, or have a member of an allowed group apply the object',
  ].join('\n');
}

/** The warning for a break-glass annotation whose value is not exactly "true" (so nothing was requested). */
export function nearMissWarning(request: RequestFacts): string | undefined {
  const miss = request.breakGlassRequested ? undefined : request.breakGlassNearMiss;
  if (!miss) return undefined;
  return `annotation ${miss.annotation} is ${quoteInput(miss.value)}, so break-glass was NOT requested: its value must be exactly "true" (lower case, no spaces)`;
}

/** Warnings about a reason that was recorded differently from how it was written. */
export function reasonWarnings(reason: ReasonCheck): string[] {
  if (reason.kind === 'invisible')
    return [`annotation ${BREAK_GLASS_REASON_ANNOTATION} has no visible character; recorded as no reason`];
  if (reason.kind === 'too-long')
    return [
      `annotation ${BREAK_GLASS_REASON_ANNOTATION} has ${reason.length} characters; only the first ${MAX_BREAK_GLASS_REASON_CHARS} are recorded`,
    ];
  return [];
}
