import type { CompiledAuthority } from '../../policy/compile/compiled.types';
import type { SignerIdentity } from '../../policy/decide/decision.types';
import type { Evidence, VerifyContext, VerifyTarget } from '../verifier.types';
import { MAX_REASONS_IN_MESSAGE } from './limits';
import type { Accepted, Outcome, Rejected } from './outcome';

// A failure lists a few per-signature reasons and counts the rest, so that one image cannot flood a message.
export function listReasons(rejected: readonly Rejected[], max: number = MAX_REASONS_IN_MESSAGE): string {
  const shown = rejected.slice(0, max).map((r) => `${r.where}: ${r.reason}`);
  const more = rejected.length - shown.length;
  return (shown.join('; ') || 'none listed') + (more > 0 ? `; and ${more} more` : '');
}

// Evidence has one shape for every scheme: only the summary and the warnings of the accepted signature differ.
export function toEvidence(
  authority: CompiledAuthority,
  accepted: Accepted,
  summary: string,
  signer?: SignerIdentity,
): Evidence {
  const warnings = accepted.warnings ?? [];
  return {
    scheme: authority.kind,
    authority: authority.name,
    summary,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(signer === undefined ? {} : { signer }),
  };
}

// Every signature examined is logged (at debug; accepted with logged failures at warn), so a decision can be traced.
export function logOutcome(
  ctx: VerifyContext,
  target: VerifyTarget,
  authority: CompiledAuthority,
  label: string,
  outcome: Outcome,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  const base = { digest: target.digest, authority: authority.name, signature: outcome.where, ...fields };
  if (!outcome.ok) ctx.logger.debug({ ...base, reason: outcome.reason }, `${label} signature rejected`);
  else if (outcome.warnings !== undefined && outcome.warnings.length > 0)
    ctx.logger.warn(
      { ...base, warnings: outcome.warnings },
      `${label} signature accepted with logged failures`,
    );
  else ctx.logger.debug(base, `${label} signature verified`);
}
