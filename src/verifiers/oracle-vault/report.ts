import type { CompiledOciVaultAuthority } from '../../policy/compile/compiled.types';
import { toVerifyError, type VerifyError, type VerifyErrorCode } from '../errors';
import type { VerifyTarget } from '../verifier.types';
import { mostTelling } from '../kit/outcome';
import { listReasons } from '../kit/report';
import { MAX_OCI_SIGNATURE_PAGES, MAX_OCI_SIGNATURES } from './limits';
import type { OciRejectionKind, OciSignatureRejected } from './outcome.types';

const CODE_OF_KIND: Readonly<Record<OciRejectionKind, VerifyErrorCode>> = {
  digest: 'VERIFY_DIGEST_MISMATCH',
  binding: 'VERIFY_BINDING_MISMATCH',
  signature: 'VERIFY_SIGNATURE_INVALID',
  payload: 'VERIFY_PAYLOAD_INVALID',
  'untrusted-key': 'VERIFY_KEY_NOT_TRUSTED',
};
/** Higher wins: a signature our key verified that binds elsewhere tells more than one by a stranger. */
const RANK: Readonly<Record<OciRejectionKind, number>> = {
  digest: 5,
  binding: 4,
  signature: 3,
  payload: 2,
  'untrusted-key': 1,
};

/**
 * The one error for an ociVault authority that no signature satisfied: VERIFY_NO_SIGNATURES, VERIFY_TOO_MANY_SIGNATURES
 * when the listing limits were hit, else the code of the most telling refusal, listing per-signature reasons.
 */
export function toOciVaultFailure(
  target: VerifyTarget,
  authority: CompiledOciVaultAuthority,
  search: {
    readonly rejected: readonly OciSignatureRejected[];
    readonly truncated: boolean;
    readonly repositoryName: string;
  },
): VerifyError {
  const { rejected, truncated } = search;
  const keys = authority.keys.map((k) => k.keyId).join(', ');
  const details = { signatures: rejected.length, keys, compartment: authority.compartmentId };
  const signCommand =
    `oci artifacts container image-signature sign-upload --compartment-id ${authority.compartmentId} ` +
    `--image-id <image OCID> --kms-key-id <one of the policy's keys> --kms-key-version-id <version> ` +
    `--signing-algorithm SHA_256_RSA_PKCS_PSS (with region ${authority.region})`;
  if (rejected.length === 0 && !truncated) {
    const text =
      `no OCI Vault signature found for repository "${search.repositoryName}" and this digest in compartment ` +
      `${authority.compartmentId} (region ${authority.region}). Sign it: ${signCommand}`;
    return toVerifyError('VERIFY_NO_SIGNATURES', target, authority.name, text, details);
  }
  const reasons = listReasons(rejected);
  if (truncated) {
    const text =
      `examined ${rejected.length} signature(s), at most ${MAX_OCI_SIGNATURES} over ${MAX_OCI_SIGNATURE_PAGES} pages ` +
      `(the limit), and stopped; none verified with key(s) ${keys}: ${reasons}. Delete stale signatures and sign again.`;
    return toVerifyError('VERIFY_TOO_MANY_SIGNATURES', target, authority.name, text, details);
  }
  const worst = mostTelling(rejected, (r) => RANK[r.kind]) as OciSignatureRejected;
  const code = CODE_OF_KIND[worst.kind];
  const text =
    `found ${rejected.length} OCI Vault signature(s), none valid for key(s) ${keys}: ${reasons}. ` +
    (code === 'VERIFY_KEY_NOT_TRUSTED'
      ? `Sign with one of the policy's keys, or add the signer's key to the policy.`
      : `Sign this digest, in this repository and region: ${signCommand}`);
  return toVerifyError(code, target, authority.name, text, details);
}
