import type { AuthorityOutcome, Decision, PolicyVerdict } from '../../policy/decide/decision.types';
import {
  CLI_OUTPUT_API_VERSION,
  type AuthorityReport,
  type CliReport,
  type ImageReport,
  type PolicyReport,
  type ResultReport,
  type SkippedReport,
} from './report.types';

// toAuthorityReport keeps the code and reason of a failure, and the signer of a pass.
function toAuthorityReport(o: AuthorityOutcome): AuthorityReport {
  if (!o.ok) return { authority: o.authority, passed: false, code: o.code, reason: o.reason };
  return {
    authority: o.authority,
    passed: true,
    summary: o.summary,
    ...(o.signer === undefined ? {} : { signer: o.signer }),
    ...(o.warnings.length === 0 ? {} : { warnings: o.warnings }),
  };
}

// toPolicyReport renames the engine's verdict fields to the documented ones.
function toPolicyReport(v: PolicyVerdict): PolicyReport {
  return {
    policy: v.policyId,
    mode: v.mode,
    passed: v.passed,
    reasons: v.reasons,
    authorities: v.authorities.map(toAuthorityReport),
  };
}

/** The images of one decision, as reported. */
export function toImageReports(decision: Decision): ImageReport[] {
  return decision.images.map((i) => ({
    image: i.image,
    field: i.field,
    ...(i.digest === undefined ? {} : { digest: i.digest }),
    ...(i.error === undefined ? {} : { error: i.error }),
    policies: i.verdicts.map(toPolicyReport),
  }));
}

/** The request-level part of a result: verdict, message, warnings, audit annotations, images. */
export function toResultBody(
  decision: Decision,
): Pick<ResultReport, 'allowed' | 'message' | 'warnings' | 'auditAnnotations' | 'images'> {
  return {
    allowed: decision.allowed,
    ...(decision.message === undefined ? {} : { message: decision.message }),
    warnings: decision.warnings,
    auditAnnotations: decision.auditAnnotations,
    images: toImageReports(decision),
  };
}

/** The document both commands print with `--output json`. */
export function toCliReport(
  kind: CliReport['kind'],
  results: readonly ResultReport[],
  skipped: readonly SkippedReport[],
): CliReport {
  return {
    apiVersion: CLI_OUTPUT_API_VERSION,
    kind,
    allowed: results.every((r) => r.allowed),
    results,
    skipped,
  };
}

/** Prints the report as indented JSON on stdout. */
export function printReport(report: CliReport): void {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}
