import type { CompiledNotationAuthority } from '../../policy/compile/compiled.types';
import type { VerifyErrorCode } from '../errors';
import type { ParsedCertificate } from './certificate';
import { describeValidityProblem } from './chain';
import type { ParsedEnvelope } from './envelope.types';
import { verifyTimestampToken } from './timestamp';

/**
 * Notation's authenticTimestamp check. notary.x509.signingAuthority: every certificate must be valid at
 * the authentic signing time. notary.x509: with no tsa trust store, every certificate must be valid now;
 * with one, the RFC 3161 countersignature must verify against it and the chain must be valid at the
 * timestamp (unless verifyTimestamp is afterCertExpiry and the chain is still valid now).
 */
export async function describeAuthenticTimestampProblem(
  envelope: ParsedEnvelope,
  chain: readonly ParsedCertificate[],
  authority: CompiledNotationAuthority,
  now: Date,
): Promise<{ code: VerifyErrorCode; reason: string } | undefined> {
  const { signingScheme, authenticSigningTime } = envelope.attributes;
  if (signingScheme === 'notary.x509.signingAuthority') {
    const problem = describeValidityProblem(chain, authenticSigningTime ?? now);
    return problem
      ? { code: 'VERIFY_CERT_CHAIN_INVALID', reason: `at the authentic signing time: ${problem}` }
      : undefined;
  }
  const nowProblem = describeValidityProblem(chain, now);
  if (authority.trustStore.tsa.length === 0)
    return nowProblem
      ? {
          code: 'VERIFY_CERT_CHAIN_INVALID',
          reason: `${nowProblem}; no tsa trust store is configured, so timestamps are not used`,
        }
      : undefined;
  if (authority.verifyTimestamp === 'afterCertExpiry' && nowProblem === undefined) return undefined;
  if (envelope.timestampToken === undefined)
    return {
      code: 'VERIFY_TIMESTAMP_INVALID',
      reason: 'the envelope has no timestamp countersignature, which the tsa trust store requires',
    };
  const stamped = await verifyTimestampToken(
    envelope.timestampToken,
    envelope.signature,
    authority.trustStore.tsa,
    now,
  );
  if (typeof stamped === 'string') return { code: 'VERIFY_TIMESTAMP_INVALID', reason: stamped };
  for (const at of [stamped.earliest, stamped.latest]) {
    const problem = describeValidityProblem(chain, at);
    if (problem)
      return { code: 'VERIFY_CERT_CHAIN_INVALID', reason: `at the authentic timestamp: ${problem}` };
  }
  return undefined;
}
