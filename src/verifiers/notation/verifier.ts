import type { CompiledNotationAuthority } from '../../policy/compile/compiled.types';
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
      for await (const found of findEnvelopes(target, ctx, stats)) {
        const outcome: EnvelopeOutcome =
          'ok' in found
            ? found
            : await checkEnvelope({
                envelope: found.bytes,
                mediaType: found.mediaType,
                target: target.descriptor,
                authority,
                now: ctx.now(),
                deadline: ctx.request.deadline,
                ...(ctx.request.signal === undefined ? {} : { signal: ctx.request.signal }),
                revocation: options.revocation,
                where: found.where,
              });
        log(ctx, target, authority, outcome);
        if (outcome.ok) {
          return {
            scheme: 'notation',
            authority: authority.name,
            summary: outcome.summary,
            ...(outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
          };
        }
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

// log records every signature examined, at debug level (warnings at warn), so that a decision can be traced.
function log(
  ctx: VerifyContext,
  target: VerifyTarget,
  authority: CompiledNotationAuthority,
  o: EnvelopeOutcome,
): void {
  const base = { digest: target.digest, authority: authority.name, signature: o.where };
  if (!o.ok)
    ctx.logger.debug(
      { ...base, check: o.check, code: o.code, reason: o.reason },
      'notation signature rejected',
    );
  else if (o.warnings.length > 0)
    ctx.logger.warn({ ...base, warnings: o.warnings }, 'notation signature accepted with logged failures');
  else ctx.logger.debug(base, 'notation signature verified');
}
