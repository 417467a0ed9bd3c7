import { quoteInput } from '../../reference/errors';
import { checkReason, toRecordedReason } from './break-glass';
import {
  breakGlassRefusals,
  formatRefusalOnly,
  nearMissWarning,
  reasonWarnings,
  standingRefusals,
} from './decide-break-glass';
import {
  boundedJoin,
  boundWarnings,
  formatDenial,
  warningLine,
  MAX_ANNOTATION_VALUE_CHARS,
  MAX_REASON_CHARS,
  oneLine,
} from './decide-format';
import { evaluateImageFacts, type ImageResult, type PolicyFailure } from './decide-image';
import type { Decision, ImageDecision, ImageFacts, RequestFacts } from './decision.types';
import { unjudgedSelectorNotes } from './match';

/** HTTP status code of a denial. */
export const DENY_STATUS_CODE = 403;

/** Audit annotation keys (the API server prefixes them with the webhook name). */
export const AUDIT_KEYS = {
  auditFailures: 'audit-failures',
  breakGlass: 'break-glass',
  breakGlassReason: 'break-glass-reason',
  breakGlassImages: 'break-glass-images',
} as const;

/**
 * The pure admission decision for one request (docs/policy.md): invalid references are always denied;
 * ungoverned images follow --no-match; every governing policy must pass (threshold, requireDigest,
 * registry.onError); enforce failures deny unless break-glass is requested and every failing policy
 * allows it; warn failures become warnings; audit failures become an audit annotation. A break-glass
 * request by a user outside a governing policy's allowedGroups is refused even when nothing fails.
 */
export function decide(request: RequestFacts, images: readonly ImageFacts[]): Decision {
  const rules = {
    noMatch: request.noMatch,
    requirePinned: request.requirePinned === true,
    ...(request.placement ? { placement: request.placement } : {}),
    template: request.placementTemplate === true,
  };
  const results = images.map((facts) => evaluateImageFacts(facts, rules));
  const governing = results.flatMap((r) => r.facts.policies);
  const warnings = [
    ...(request.namespaceLabels
      ? unjudgedSelectorNotes(governing, request.namespace, request.namespaceLabels)
      : []),
    ...collectWarnings(results),
  ];
  const nearMiss = nearMissWarning(request);
  if (nearMiss) warnings.push(nearMiss);
  const auditAnnotations: Record<string, string> = {};
  const audit = results.flatMap((r) => r.audit.map((f) => auditEntry(r, f)));
  if (audit.length > 0)
    auditAnnotations[AUDIT_KEYS.auditFailures] = boundedJoin(audit, ' | ', MAX_ANNOTATION_VALUE_CHARS);
  const base = {
    verified: results
      .filter((r) => r.verified && r.facts.digest !== undefined)
      .map((r) => ({
        field: r.facts.field,
        pointer: r.facts.pointer,
        image: r.facts.image,
        digest: r.facts.digest as string,
      })),
    images: results.map(toImageDecision),
  };
  const denied = results.filter((r) => r.hard.length > 0 || r.enforce.length > 0);
  const reason = checkReason(request.breakGlassReason);
  const refusals = request.breakGlassRequested
    ? breakGlassRefusals(request, results, denied, reason)
    : standingRefusals(request, denied);
  if (denied.length === 0 && request.breakGlassRequested && refusals.length > 0) {
    auditAnnotations[AUDIT_KEYS.breakGlass] = 'refused';
    return {
      allowed: false,
      message: formatRefusalOnly(refusals),
      code: DENY_STATUS_CODE,
      warnings: boundWarnings(warnings),
      auditAnnotations,
      breakGlassUsed: false,
      ...base,
    };
  }
  if (denied.length === 0) {
    if (request.breakGlassRequested) auditAnnotations[AUDIT_KEYS.breakGlass] = 'not-needed';
    return {
      allowed: true,
      warnings: boundWarnings(warnings),
      auditAnnotations,
      breakGlassUsed: false,
      ...base,
    };
  }
  const hard = denied.some((r) => r.hard.length > 0);
  if (request.breakGlassRequested && !hard && refusals.length === 0) {
    const used = denied.map((r) => `${imageDigest(r)} (${r.enforce.map(policyName).join(', ')})`);
    const recorded = toRecordedReason(reason);
    auditAnnotations[AUDIT_KEYS.breakGlass] = 'true';
    if (recorded !== '') auditAnnotations[AUDIT_KEYS.breakGlassReason] = recorded;
    auditAnnotations[AUDIT_KEYS.breakGlassImages] = boundedJoin(used, '; ', MAX_ANNOTATION_VALUE_CHARS);
    const why = recorded === '' ? 'no reason given' : `reason: ${recorded}`;
    warnings.unshift(
      `break-glass used by ${quoteInput(request.userName)} (${why}): admitted despite failing policies: ${used.join('; ')}`,
      ...reasonWarnings(reason),
    );
    return {
      allowed: true,
      warnings: boundWarnings(warnings),
      auditAnnotations,
      breakGlassUsed: true,
      ...base,
    };
  }
  if (request.breakGlassRequested) auditAnnotations[AUDIT_KEYS.breakGlass] = 'refused';
  return {
    allowed: false,
    message: formatDenial(denied, refusals, request.breakGlassRequested, request.outsideCluster !== true),
    code: DENY_STATUS_CODE,
    warnings: boundWarnings(warnings),
    auditAnnotations,
    breakGlassUsed: false,
    ...base,
  };
}

// toImageDecision keeps what the CLI's report and the logs need about one image.
function toImageDecision(r: ImageResult): ImageDecision {
  const { facts } = r;
  const error = facts.invalid ?? facts.resolveError;
  return {
    image: facts.image,
    field: facts.field,
    ...(facts.digest === undefined ? {} : { digest: facts.digest }),
    ...(error === undefined ? {} : { error }),
    verdicts: r.verdicts,
  };
}

// collectWarnings turns warn-mode failures and notes into `[policy X] image "Y": …` lines.
function collectWarnings(results: readonly ImageResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    for (const f of r.warn) {
      const reasons = f.lines.filter((l) => f.kind !== 'authorities' || l !== f.lines[0]).join('; ');
      out.push(warningLine(`[policy ${policyName(f)}] `, r, ` would be denied (mode: warn): ${reasons}`));
    }
    for (const n of r.notes)
      out.push(warningLine(n.policyId ? `[policy ${n.policyId}] ` : '', r, `: ${n.text}`));
  }
  return out;
}

// auditEntry is one compact line of the audit-failures annotation.
function auditEntry(r: ImageResult, f: PolicyFailure): string {
  return oneLine(`${policyName(f)} ${imageDigest(r)}: ${f.lines.join('; ')}`, MAX_REASON_CHARS);
}

// policyName names a failure's policy, or the --no-match rule.
function policyName(f: PolicyFailure): string {
  return f.policy?.id ?? (f.kind === 'no-match' ? '--no-match deny' : 'reference');
}

// imageDigest names an image by its normalised name and digest when known.
function imageDigest(r: ImageResult): string {
  const name = r.facts.normalized ?? r.facts.image;
  return oneLine(
    r.facts.digest && !name.includes('@') ? `${name}@${r.facts.digest}` : name,
    MAX_REASON_CHARS,
  );
}
