import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import { requireSha256, toVerifyError } from '../errors';
import { logOutcome, toEvidence } from '../kit/report';
import { verifyAttestations } from './attestations';
import { examineBundles } from './bundles';
import { examineLegacy } from './legacy';
import { SignatureBudget } from './limits';
import type { SignatureAccepted, SignatureOutcome, SignatureRejected } from './outcome.types';
import { describeRule } from '../simple-signing/identity';
import { embeddedPublicGoodRoot } from './public-good';
import { toCosignFailure } from './report';
import type { Evidence, Verifier, VerifyTarget } from '../verifier.types';

/** What the cosign verifier needs from the runtime: the current public-good root (embedded or TUF-refreshed). */
export interface CosignVerifierOptions {
  readonly publicGood: () => CompiledTrustedRoot;
}

/**
 * Builds the cosign verifier: sigstore bundles stored as OCI referrers (cosign v3), then legacy
 * `sha256-<hex>.sig` manifests (cosign v2). One signature by the authority's signer (a key, or a
 * certificate whose identity the policy names, with its log entry and timestamps verified against the
 * TrustedRoot) that binds exactly `target.digest` satisfies the authority. Under the authority's signedIdentity
 * only a legacy signature whose docker-reference the rule accepts counts (bundles name none). An authority that
 * lists attestations is satisfied by those instead (attestations.ts).
 */
export function createCosignVerifier(options: CosignVerifierOptions): Verifier<CompiledCosignAuthority> {
  return {
    scheme: 'cosign',
    async verify(target, authority, ctx): Promise<Evidence> {
      requireSha256(target, authority.name, 'cosign signatures');
      requireSigner(target, authority);
      const root = rootOf(authority, options);
      if (authority.attestations.length > 0) return verifyAttestations(target, authority, root, ctx);
      const budget = new SignatureBudget();
      const rejected: SignatureRejected[] = [];
      for (const source of [examineBundles, examineLegacy]) {
        for await (const outcome of source(target, authority, root, ctx, budget)) {
          const judged = refuseUnnamed(authority, outcome);
          const fields = judged.ok ? { signer: judged.signer } : { kind: judged.kind };
          logOutcome(ctx, target, authority, 'cosign', judged, fields);
          if (judged.ok) return toCosignEvidence(authority, judged);
          rejected.push(judged);
        }
        if (budget.exhausted) break;
      }
      throw toCosignFailure(target, authority, { rejected, exhausted: budget.exhausted });
    },
  };
}

/** The verifier with the embedded public-good root, for callers without a TUF refresher (tests, CLI). */
export const cosignVerifier: Verifier<CompiledCosignAuthority> = createCosignVerifier({
  publicGood: embeddedPublicGoodRoot,
});

// requireSigner refuses, before any registry request, an authority that names no signer: the compiler never
// builds one, and a verifier that met one must not go on to accept "any signature".
function requireSigner(target: VerifyTarget, authority: CompiledCosignAuthority): void {
  if (authority.keys.length === 0 && authority.keyless === undefined) {
    throw toVerifyError(
      'VERIFY_UNSUPPORTED',
      target,
      authority.name,
      'the cosign authority names no key and no keyless identity',
    );
  }
}

// rootOf picks the TrustedRoot: the policy's own, else the current public-good root (also for the
// transparency log of a key authority with tlog.required).
function rootOf(authority: CompiledCosignAuthority, options: CosignVerifierOptions): CompiledTrustedRoot {
  const ref = authority.keyless?.trustedRoot;
  return ref?.kind === 'given' ? ref.root : options.publicGood();
}

// refuseUnnamed turns a verified cosign v3 bundle into a refusal under signedIdentity: its in-toto statement
// names the digest only, so no docker-reference can be compared (containers/image does not read bundles either).
function refuseUnnamed(authority: CompiledCosignAuthority, outcome: SignatureOutcome): SignatureOutcome {
  if (!outcome.ok || outcome.format !== 'bundle' || authority.signedIdentity === undefined) return outcome;
  const reason = `signed by ${outcome.signer}, but a cosign v3 bundle names no docker-reference, so signedIdentity ${describeRule({ signedIdentity: authority.signedIdentity })} cannot accept it`;
  return { ok: false, kind: 'reference', where: outcome.where, reason, keyVerified: true };
}

// toCosignEvidence says which signature, in which format, verified by which signer.
function toCosignEvidence(authority: CompiledCosignAuthority, accepted: SignatureAccepted): Evidence {
  const format = accepted.format === 'bundle' ? 'cosign' : 'cosign legacy signature';
  const summary = `${format} ${accepted.where} signed by ${accepted.signer}`;
  return toEvidence(authority, accepted, summary, accepted.identity);
}
