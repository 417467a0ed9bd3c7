import type { CompiledCosignAuthority } from '../../policy/compile/compiled.types';
import { toVerifyError, type VerifyError, type VerifyErrorCode } from '../errors';
import type { VerifyTarget } from '../verifier.types';
import { mostTelling } from '../kit/outcome';
import { listReasons } from '../kit/report';
import { MAX_SIGNATURES_PER_IMAGE } from './limits';
import { toReferrersTag, toSignatureTag } from './media-types';
import type { SignatureRejected } from './outcome.types';

/** What the search for signatures saw, for the failure message. */
export interface SearchSummary {
  readonly rejected: readonly SignatureRejected[];
  /** The signature budget ran out before every signature was examined. */
  readonly exhausted: boolean;
}

const CODE_OF_KIND: Readonly<Record<SignatureRejected['kind'], VerifyErrorCode>> = {
  digest: 'VERIFY_DIGEST_MISMATCH',
  predicate: 'VERIFY_PREDICATE_MISMATCH',
  payload: 'VERIFY_PAYLOAD_INVALID',
  signature: 'VERIFY_SIGNATURE_INVALID',
};

/**
 * The one error for an authority that no signature satisfied. The code follows the most telling
 * refusal: content our key verified (wrong digest, attestation, bad payload) beats "no key verified",
 * which beats unverified junk. Every message lists the per-signature reasons.
 */
export function toCosignFailure(
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
  summary: SearchSummary,
): VerifyError {
  const { rejected, exhausted } = summary;
  if (rejected.length === 0) return noSignatures(target, authority);
  const reasons = listReasons(rejected);
  const keys = authority.keys.map((k) => k.id).join(', ');
  const details = { signatures: rejected.length, keys };
  if (exhausted) {
    const text =
      `examined the first ${MAX_SIGNATURES_PER_IMAGE} signatures (the limit) and stopped; none verified ` +
      `with key(s) ${keys}: ${reasons}. Remove stale signatures (cosign clean) and sign again.`;
    return toVerifyError('VERIFY_TOO_MANY_SIGNATURES', target, authority.name, text, details);
  }
  const worst = mostTelling(rejected, rank) as SignatureRejected;
  const code = CODE_OF_KIND[worst.kind];
  const text =
    `found ${rejected.length} cosign signature(s), none verified with key(s) ${keys}: ${reasons}. ` +
    hintFor(worst.kind, target);
  return toVerifyError(code, target, authority.name, text, details);
}

// rank orders refusals by how much they tell the user (higher wins).
function rank(r: SignatureRejected): number {
  const verified = { digest: 7, predicate: 6, payload: 5, signature: 0 }[r.kind];
  const unverified = { signature: 4, digest: 3, payload: 2, predicate: 1 }[r.kind];
  return r.keyVerified ? verified : unverified;
}

// hintFor ends a failure with what the user can do about its most telling refusal.
function hintFor(kind: SignatureRejected['kind'], target: VerifyTarget): string {
  const signCommand = `cosign sign --key <key> ${target.ref.name}@${target.digest}`;
  switch (kind) {
    case 'digest':
      return `A signature made for another image does not count; sign this digest: ${signCommand}`;
    case 'predicate':
      return `Attestations are not signatures; sign the image: ${signCommand}`;
    case 'payload':
    case 'signature':
      return `Sign the image with this authority's key: ${signCommand}`;
  }
}

// noSignatures says where we looked, so the user can check the same places.
function noSignatures(target: VerifyTarget, authority: CompiledCosignAuthority): VerifyError {
  const text =
    `no cosign signature found: no sigstore bundle among the referrers (referrers API, or the tag ` +
    `${toReferrersTag(target.digest)}) and no legacy signature tag ${toSignatureTag(target.digest)} in ${target.ref.name}`;
  return toVerifyError('VERIFY_NO_SIGNATURES', target, authority.name, text);
}
