import type { CompiledCosignAuthority } from '../../policy/compile/compiled.types';
import { requireSha256, toVerifyError } from '../errors';
import { logOutcome, toEvidence } from '../kit/report';
import { examineBundles } from './bundles';
import { examineLegacy } from './legacy';
import { SignatureBudget } from './limits';
import type { SignatureAccepted, SignatureRejected } from './outcome.types';
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
        const fields = outcome.ok ? { key: outcome.keyId } : { kind: outcome.kind };
        logOutcome(ctx, target, authority, 'cosign', outcome, fields);
        if (outcome.ok) return toCosignEvidence(authority, outcome);
        rejected.push(outcome);
      }
      if (budget.exhausted) break;
    }
    throw toCosignFailure(target, authority, { rejected, exhausted: budget.exhausted });
  },
};

// toCosignEvidence says which signature, in which format, verified with which key.
function toCosignEvidence(authority: CompiledCosignAuthority, accepted: SignatureAccepted): Evidence {
  const format = accepted.format === 'bundle' ? 'cosign' : 'cosign legacy signature';
  return toEvidence(authority, accepted, `${format} ${accepted.where} signed by key ${accepted.keyId}`);
}
