import type { CompiledNotationAuthority } from '../../policy/compile/compiled.types';
import { toVerifyError, type VerifyError } from '../errors';
import type { VerifyTarget } from '../verifier.types';
import { mostTelling } from '../kit/outcome';
import { listReasons } from '../kit/report';
import { MAX_NOTATION_SIGNATURES, MAX_OTHER_REASONS } from './limits';
import type { EnvelopeRejected } from './outcome.types';

// The further a signature got, the more its failure says: trust-policy failures beat integrity, then format.
const RANK: Readonly<Record<EnvelopeRejected['check'], number>> = {
  format: 0,
  integrity: 1,
  authenticity: 2,
  authenticTimestamp: 3,
  expiry: 3,
  revocation: 3,
};

/**
 * The VerifyError for an authority that no signature satisfied: VERIFY_NO_SIGNATURES when none was found,
 * else the code and reason of the signature that got furthest, listing a few others.
 */
export function toNotationFailure(
  target: VerifyTarget,
  authority: CompiledNotationAuthority,
  rejected: readonly EnvelopeRejected[],
  exhausted: boolean,
): VerifyError {
  const best = mostTelling(rejected, (r) => RANK[r.check]);
  if (best === undefined) {
    const text = `no Notation signature found for ${target.digest} (referrers of artifactType application/vnd.cncf.notary.signature, or the sha256-<hex> tag); sign it with \`notation sign\``;
    return toVerifyError('VERIFY_NO_SIGNATURES', target, authority.name, text);
  }
  const others = rejected.filter((r) => r !== best);
  const text =
    `Notation ${best.where}: ${best.reason}` +
    (others.length > 0 ? `; other signatures: ${listReasons(others, MAX_OTHER_REASONS)}` : '') +
    (exhausted ? `; stopped after ${MAX_NOTATION_SIGNATURES} signatures` : '');
  return toVerifyError(best.code, target, authority.name, text, {
    signature: best.where,
    check: best.check,
    signatures: rejected.length,
  });
}
