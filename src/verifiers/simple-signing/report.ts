import type { CompiledSimpleSigningAuthority } from '../../policy/compile/compiled.types';
import { formatReference } from '../../reference';
import { toVerifyError, type VerifyError, type VerifyErrorCode } from '../errors';
import { mostTelling } from '../kit/outcome';
import { listReasons } from '../kit/report';
import type { VerifyTarget } from '../verifier.types';
import { describeRule } from './identity';
import { MAX_SIMPLE_SIGNATURES_PER_IMAGE } from './limits';
import type { SimpleRejectionKind, SimpleSignatureRejected } from './outcome.types';

const CODE_OF_KIND: Readonly<Record<SimpleRejectionKind, VerifyErrorCode>> = {
  identity: 'VERIFY_IDENTITY_MISMATCH',
  digest: 'VERIFY_DIGEST_MISMATCH',
  payload: 'VERIFY_PAYLOAD_INVALID',
  'key-invalid': 'VERIFY_KEY_NOT_TRUSTED',
  signature: 'VERIFY_SIGNATURE_INVALID',
  'too-large': 'VERIFY_SIGNATURE_INVALID',
  'untrusted-key': 'VERIFY_KEY_NOT_TRUSTED',
  format: 'VERIFY_SIGNATURE_INVALID',
};
/** Higher wins: a signature our key made for another identity tells more than one by a stranger. */
const RANK: Readonly<Record<SimpleRejectionKind, number>> = {
  identity: 8,
  digest: 7,
  payload: 6,
  'key-invalid': 5,
  signature: 4,
  'too-large': 3,
  'untrusted-key': 2,
  format: 1,
};

/**
 * The one error for a simpleSigning authority that no lookaside signature satisfied: VERIFY_NO_SIGNATURES,
 * VERIFY_TOO_MANY_SIGNATURES when MAX_SIMPLE_SIGNATURES_PER_IMAGE were read, else the code of the most telling
 * refusal. The message names the keys, the lookaside location and the skopeo command that would sign.
 */
export function toSimpleSigningFailure(
  target: VerifyTarget,
  authority: CompiledSimpleSigningAuthority,
  search: { readonly rejected: readonly SimpleSignatureRejected[]; readonly truncated: boolean },
): VerifyError {
  const { rejected, truncated } = search;
  const keys = authority.keys.map((k) => k.fingerprint).join(', ');
  const location = `${authority.lookaside}/${target.repo.repository}@${target.digest.replace(':', '=')}/`;
  const details = { signatures: rejected.length, keys, lookaside: authority.lookaside };
  const sign =
    `sign it with skopeo copy --sign-by ${authority.keys[0]?.fingerprint ?? '<fingerprint>'} docker://<source> ` +
    `docker://${formatReference(target.ref)} (registries.d lookaside-staging), then publish the signature-<n> ` +
    `files under ${location}`;
  if (rejected.length === 0) {
    const text = `no simple-signing signature at ${location}signature-1 (GPG key(s) ${keys}); ${sign}`;
    return toVerifyError('VERIFY_NO_SIGNATURES', target, authority.name, text, details);
  }
  const reasons = listReasons(rejected);
  if (truncated) {
    const text =
      `read ${MAX_SIMPLE_SIGNATURES_PER_IMAGE} simple-signing signatures at ${location} (the limit) and stopped; ` +
      `none verified with GPG key(s) ${keys}: ${reasons}. Remove stale signatures from the lookaside store.`;
    return toVerifyError('VERIFY_TOO_MANY_SIGNATURES', target, authority.name, text, details);
  }
  const worst = mostTelling(rejected, (r) => RANK[r.kind]) as SimpleSignatureRejected;
  const code = CODE_OF_KIND[worst.kind];
  const advice =
    code === 'VERIFY_IDENTITY_MISMATCH'
      ? `Sign the reference the pod uses, or set signedIdentity (now ${describeRule(authority)}) to accept the signed one; or ${sign}`
      : code === 'VERIFY_KEY_NOT_TRUSTED'
        ? `Sign with one of the policy's keys (and renew an expired one), or add the signer's key to the policy; ${sign}`
        : `Sign this digest again: ${sign}`;
  const text = `found ${rejected.length} simple-signing signature(s) at ${location}, none valid for GPG key(s) ${keys}: ${reasons}. ${advice}`;
  return toVerifyError(code, target, authority.name, text, details);
}
