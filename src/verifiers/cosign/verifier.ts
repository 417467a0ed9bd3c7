import type { CompiledCosignAuthority } from '../../policy/compile/compiled.types';
import { requireSha256, toVerifyError } from '../errors';
import { examineBundles } from './bundles';
import { examineLegacy } from './legacy';
import { SignatureBudget } from './limits';
import type { SignatureAccepted, SignatureOutcome, SignatureRejected } from './outcome.types';
import { toCosignFailure } from './report';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from '../verifier.types';

/**
 * Verifies cosign key-based signatures: sigstore bundles stored as OCI referrers (cosign v3), then
 * legacy `sha256-<hex>.sig` manifests (cosign v2). One signature that verifies with one of the
 * authority's keys, and binds exactly `target.digest`, satisfies the authority.
 */
export const cosignVerifier: Verifier<CompiledCosignAuthority> = {
  scheme: 'cosign',
  async verify(
    target: VerifyTarget,
    authority: CompiledCosignAuthority,
    ctx: VerifyContext,
  ): Promise<Evidence> {
    requireSha256(target, authority.name, 'cosign signatures');
    if (authority.keys.length === 0) {
      const text = 'this cosign authority has no public keys; keyless verification is not supported yet';
      throw toVerifyError('VERIFY_UNSUPPORTED', target, authority.name, text);
    }
    const budget = new SignatureBudget();
    const rejected: SignatureRejected[] = [];
    for (const source of [examineBundles, examineLegacy]) {
      for await (const outcome of source(target, authority.keys, ctx, budget)) {
        log(ctx, target, authority, outcome);
        if (outcome.ok) return toEvidence(authority, outcome);
        rejected.push(outcome);
      }
      if (budget.exhausted) break;
    }
    throw toCosignFailure(target, authority, { rejected, exhausted: budget.exhausted });
  },
};

// toEvidence says which signature, in which format, verified with which key.
function toEvidence(authority: CompiledCosignAuthority, accepted: SignatureAccepted): Evidence {
  const format = accepted.format === 'bundle' ? 'cosign' : 'cosign legacy signature';
  return {
    scheme: 'cosign',
    authority: authority.name,
    summary: `${format} ${accepted.where} signed by key ${accepted.keyId}`,
  };
}

// log records every signature examined, at debug level, so that a denial can be traced.
function log(
  ctx: VerifyContext,
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  o: SignatureOutcome,
): void {
  const base = { digest: target.digest, authority: authority.name, signature: o.where };
  if (o.ok) ctx.logger.debug({ ...base, key: o.keyId }, 'cosign signature verified');
  else ctx.logger.debug({ ...base, kind: o.kind, reason: o.reason }, 'cosign signature rejected');
}
