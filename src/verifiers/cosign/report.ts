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
  reference: 'VERIFY_IDENTITY_MISMATCH',
  payload: 'VERIFY_PAYLOAD_INVALID',
  signature: 'VERIFY_SIGNATURE_INVALID',
  identity: 'VERIFY_IDENTITY_MISMATCH',
  certificate: 'VERIFY_CERT_CHAIN_INVALID',
  tlog: 'VERIFY_TLOG_INVALID',
  timestamp: 'VERIFY_TIMESTAMP_INVALID',
};

/** `CODE_OF_KIND` for the attestation report, which shares the refusal kinds. */
export function codeOfKind(kind: SignatureRejected['kind']): VerifyErrorCode {
  return CODE_OF_KIND[kind];
}

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
  const keys = signerOf(authority);
  const details = { signatures: rejected.length, signer: keys };
  if (exhausted) {
    const text =
      `examined the first ${MAX_SIGNATURES_PER_IMAGE} signatures (the limit) and stopped; none verified ` +
      `by ${keys}: ${reasons}. Remove stale signatures (cosign clean) and sign again.`;
    return toVerifyError('VERIFY_TOO_MANY_SIGNATURES', target, authority.name, text, details);
  }
  const worst = mostTelling(rejected, rank) as SignatureRejected;
  const code = CODE_OF_KIND[worst.kind];
  const text =
    `found ${rejected.length} cosign signature(s), none verified by ${keys}: ${reasons}. ` +
    hintFor(worst.kind, target, authority);
  return toVerifyError(code, target, authority.name, text, details);
}

const VERIFIED_RANK: Readonly<Record<SignatureRejected['kind'], number>> = {
  reference: 13,
  digest: 12,
  predicate: 11,
  payload: 10,
  signature: 0,
  identity: 0,
  certificate: 0,
  tlog: 0,
  timestamp: 0,
};
const UNVERIFIED_RANK: Readonly<Record<SignatureRejected['kind'], number>> = {
  identity: 9,
  tlog: 8,
  timestamp: 7,
  certificate: 6,
  signature: 4,
  digest: 3,
  payload: 2,
  predicate: 1,
  reference: 0,
};

/** Orders refusals by how much they tell the user (higher wins): content the signer verified first,
 * then a real certificate for another identity, then log, time and chain problems, then "another key". */
export function rank(r: SignatureRejected): number {
  return (r.keyVerified ? VERIFIED_RANK : UNVERIFIED_RANK)[r.kind];
}

/** Who the authority accepts, for messages: its key ids, or its keyless identities. */
export function signerOf(authority: CompiledCosignAuthority): string {
  if (authority.keyless !== undefined) {
    return `identity ${authority.keyless.identities.map((i) => i.text).join('; or ')}`;
  }
  return `key(s) ${authority.keys.map((k) => k.id).join(', ')}`;
}

// hintFor ends a failure with what the user can do about its most telling refusal.
function hintFor(
  kind: SignatureRejected['kind'],
  target: VerifyTarget,
  authority: CompiledCosignAuthority,
): string {
  const image = `${target.ref.name}@${target.digest}`;
  const signCommand =
    authority.keyless !== undefined
      ? `cosign sign ${image} (keyless, as an accepted identity)`
      : `cosign sign --key <key> ${image}`;
  switch (kind) {
    case 'digest':
      return `A signature made for another image does not count; sign this digest: ${signCommand}`;
    case 'predicate':
      return `Attestations are not signatures; sign the image: ${signCommand}`;
    case 'reference':
      return `Under signedIdentity only a cosign v2 legacy signature (cosign 2.x, or cosign 3 with --new-bundle-format=false) made for this image's reference counts: ${signCommand}`;
    case 'identity':
      return `Sign as one of the accepted identities, or add the signer to the policy if it is trusted.`;
    case 'tlog':
      return `Sign with a transparency log (cosign's default), or check the policy's TrustedRoot and tlog.rekorKeys.`;
    case 'timestamp':
      return `Keyless signatures need a transparency-log entry or an RFC 3161 timestamp from a trusted TSA.`;
    case 'certificate':
      return `The signing certificate must chain to the policy's TrustedRoot (${authority.keyless?.trustedRoot.kind === 'given' ? authority.keyless.trustedRoot.root.source : 'the public-good Sigstore root'}).`;
    case 'payload':
    case 'signature':
      return authority.keyless !== undefined
        ? `Sign the image keylessly as an accepted identity: ${signCommand}`
        : `Sign the image with this authority's key: ${signCommand}`;
  }
}

// noSignatures says where we looked, so the user can check the same places.
function noSignatures(target: VerifyTarget, authority: CompiledCosignAuthority): VerifyError {
  const text =
    `no cosign signature found: no sigstore bundle among the referrers (referrers API, or the tag ` +
    `${toReferrersTag(target.digest)}) and no legacy signature tag ${toSignatureTag(target.digest)} in ${target.ref.name}`;
  return toVerifyError('VERIFY_NO_SIGNATURES', target, authority.name, text);
}
