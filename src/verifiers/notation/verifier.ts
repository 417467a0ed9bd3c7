import type { CompiledNotationAuthority } from '../../policy/compile/compiled.types';
import { logOutcome, toEvidence } from '../kit/report';
import { checkEnvelope } from './check-envelope';
import { createCrlFetcher } from './crl-fetch';
import { findEnvelopes, type DiscoveryStats } from './discovery';
import type { EnvelopeOutcome, EnvelopeRejected, RevocationChecker } from './outcome.types';
import { toNotationFailure } from './report';
import { createCrlRevocationChecker } from './revocation';
import type { Evidence, Verifier, VerifyContext, VerifyTarget } from '../verifier.types';

/** I/O the Notation verifier needs beyond the registry: revocation look-ups. */
export interface NotationVerifierOptions {
  readonly revocation: RevocationChecker;
}

/**
 * Builds a verifier of Notary Project (Notation) signatures: JWS and COSE envelopes found as OCI referrers
 * (or through the `sha256-<hex>` tag), checked against the authority's trust store, trusted identities and
 * verification level as Notation's trust policy does. One signature that passes satisfies the authority;
 * checks the level only logs become warnings in the evidence.
 */
export function createNotationVerifier(
  options: NotationVerifierOptions,
): Verifier<CompiledNotationAuthority> {
  return {
    scheme: 'notation',
    async verify(
      target: VerifyTarget,
      authority: CompiledNotationAuthority,
      ctx: VerifyContext,
    ): Promise<Evidence> {
      const stats: DiscoveryStats = { found: 0, exhausted: false };
      const rejected: EnvelopeRejected[] = [];
      const descriptor = await target.descriptor();
      for await (const found of findEnvelopes(target, ctx, stats)) {
        const outcome: EnvelopeOutcome =
          'ok' in found
            ? found
            : await checkEnvelope({
                envelope: found.bytes,
                mediaType: found.mediaType,
                target: descriptor,
                authority,
                now: ctx.now(),
                deadline: ctx.request.deadline,
                ...(ctx.request.signal === undefined ? {} : { signal: ctx.request.signal }),
                revocation: options.revocation,
                where: found.where,
              });
        const fields = outcome.ok ? {} : { check: outcome.check, code: outcome.code };
        logOutcome(ctx, target, authority, 'notation', outcome, fields);
        if (outcome.ok) return toEvidence(authority, outcome, outcome.summary, outcome.signer);
        rejected.push(outcome);
      }
      throw toNotationFailure(target, authority, rejected, stats.exhausted);
    },
  };
}

/**
 * The verifier the dispatcher uses when the runtime hands in none: CRLs fetched through the egress guard with
 * the system's CAs only (the runtime builds one with --registry-ca and its clock).
 */
export const notationVerifier = createNotationVerifier({
  revocation: createCrlRevocationChecker(createCrlFetcher()),
});
