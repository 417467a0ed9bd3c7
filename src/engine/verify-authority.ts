import type { CompiledAuthority, CompiledPolicy } from '../policy/compile/compiled.types';
import type { AuthorityOutcome } from '../policy/decide/decision.types';
import { isAvailabilityErrorCode } from '../policy/decide/decide-image';
import type { VerifyContext, VerifyTarget } from '../verifiers/verifier.types';
import type { ImageEvaluationDeps } from './evaluate-image';
import { toFailure } from './outcomes';
import { sharedVerify } from './shared-verdicts';
import { verdictKey } from './verdict-cache';

// verifyOne runs one authority, consulting the verdict cache first (successes only are cached).
// Concurrent verifications of one (digest, policy, authority, credentials) share one run.
export async function verifyOne(
  target: VerifyTarget,
  policy: CompiledPolicy,
  authority: CompiledAuthority,
  ctx: VerifyContext,
  credentialsKey: string,
  deps: ImageEvaluationDeps,
): Promise<AuthorityOutcome> {
  const key = verdictKey(target.ref, target.digest, policy, authority);
  const cached = deps.cache.get(key);
  if (cached) {
    deps.metrics?.cacheHits.inc();
    const { summary, warnings, signer } = cached;
    return { authority: authority.name, ok: true, summary, warnings, ...(signer ? { signer } : {}) };
  }
  deps.metrics?.cacheMisses.inc();
  const local = async (): Promise<AuthorityOutcome> => {
    try {
      const evidence = await deps.verify(target, authority, ctx);
      const warnings = evidence.warnings ?? [];
      deps.history?.recordVerified(key);
      deps.metrics?.verifications.inc({ scheme: authority.kind, result: 'pass' });
      const signer = evidence.signer;
      return {
        authority: authority.name,
        ok: true,
        summary: evidence.summary,
        warnings,
        ...(signer ? { signer } : {}),
      };
    } catch (error) {
      deps.metrics?.verifications.inc({ scheme: authority.kind, result: 'fail' });
      return toFailure(authority.name, error);
    }
  };
  const { shared } = deps;
  const bounds = {
    deadline: ctx.request.deadline,
    ...(ctx.request.signal === undefined ? {} : { signal: ctx.request.signal }),
  };
  const flightKey = `${key}\u0000${credentialsKey}`;
  const outcome = await deps.verifications.run(flightKey, async () => {
    const result = shared
      ? (await sharedVerify(shared, flightKey, authority.name, bounds, local)).outcome
      : await local();
    if (result.ok) {
      const { summary, warnings, signer } = result;
      deps.cache.set(key, { summary, warnings, ...(signer ? { signer } : {}) });
    }
    return result;
  });
  return outcome.ok ? outcome : (staleVerdict(key, policy, outcome, deps) ?? outcome);
}

// staleVerdict admits, under registry.onError: allowVerified, a digest this replica verified within
// maxStaleness when the failure is only that the registry or signature store is unreachable.
function staleVerdict(
  key: string,
  policy: CompiledPolicy,
  failure: Extract<AuthorityOutcome, { ok: false }>,
  deps: ImageEvaluationDeps,
): AuthorityOutcome | undefined {
  if (policy.registry.onError !== 'allowVerified' || !isAvailabilityErrorCode(failure.code)) return undefined;
  const at = deps.history?.verifiedWithin(key, policy.registry.maxStalenessMs);
  if (at === undefined) return undefined;
  deps.metrics?.staleAdmissions.inc({ what: 'verdict' });
  const minutes = Math.round((deps.now() - at) / 60_000);
  deps.logger.warn(
    {
      policy: policy.id,
      authority: failure.authority,
      code: failure.code,
      verifiedAt: new Date(at).toISOString(),
    },
    `registry unreachable: admitted on an earlier verification (registry.onError: allowVerified): ${failure.reason}`,
  );
  return {
    authority: failure.authority,
    ok: true,
    summary: `verified ${minutes} min ago (${new Date(at).toISOString()})`,
    // Short: a warning line is capped (MAX_WARNING_CHARS) after the policy, image and authority prefix.
    warnings: [`registry down; last verified ${minutes}m ago`],
  };
}
