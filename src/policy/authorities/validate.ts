import type { PolicyObject } from '../crd/crd.types';
import type { FieldError } from '../errors';
import { validateOciVault } from './oracle-vault';
import { quote } from '../crd/schema-validate';
import { isRecord } from '../../guards';

/** The authority kinds the schema accepts; each has a verifier (a kind without one is not listed here). */
export const AUTHORITY_KINDS = ['cosign', 'notaryV1', 'notation', 'ociVault'] as const;

/**
 * Rules on spec.authorities, spec.threshold and secret references that a structural schema cannot express.
 * Runs on a spec that may still hold structural errors, so every access is guarded.
 */
export function validateAuthorities(
  spec: Record<string, unknown>,
  kind: PolicyObject['kind'],
  namespace: string | undefined,
  errors: FieldError[],
): void {
  const authorities = Array.isArray(spec.authorities) ? spec.authorities : [];
  const seen = new Map<string, number>();
  authorities.forEach((authority: unknown, i) => {
    if (!isRecord(authority)) return;
    const at = `spec.authorities[${i}]`;
    if (typeof authority.name === 'string') {
      const first = seen.get(authority.name);
      if (first !== undefined) {
        errors.push({
          path: `${at}.name`,
          code: 'POLICY_AUTHORITY_DUPLICATE',
          message: `authority name ${quote(authority.name)} is already used by spec.authorities[${first}]`,
        });
      } else {
        seen.set(authority.name, i);
      }
    }
    validateAuthorityKind(authority, at, errors);
    if (isRecord(authority.cosign)) validateCosign(authority.cosign, `${at}.cosign`, kind, namespace, errors);
    if (isRecord(authority.ociVault))
      validateOciVault(authority.ociVault, `${at}.ociVault`, errors, (ref, path) =>
        checkSecretNamespace(ref, path, kind, namespace, errors),
      );
  });
  const threshold = spec.threshold;
  if (
    typeof threshold === 'number' &&
    Number.isInteger(threshold) &&
    threshold > authorities.length &&
    authorities.length > 0
  ) {
    errors.push({
      path: 'spec.threshold',
      code: 'POLICY_THRESHOLD_INVALID',
      message: `threshold ${threshold} can never be met: the policy has ${authorities.length} authorit${authorities.length === 1 ? 'y' : 'ies'}`,
    });
  }
  const registry = spec.registry;
  if (isRecord(registry) && Array.isArray(registry.credentials)) {
    registry.credentials.forEach((cred: unknown, i) => {
      if (isRecord(cred) && isRecord(cred.secretRef)) {
        checkSecretNamespace(
          cred.secretRef,
          `spec.registry.credentials[${i}].secretRef`,
          kind,
          namespace,
          errors,
        );
      }
    });
  }
}

// validateAuthorityKind demands exactly one kind per authority.
function validateAuthorityKind(authority: Record<string, unknown>, at: string, errors: FieldError[]): void {
  const kinds = AUTHORITY_KINDS.filter((k) => authority[k] !== undefined);
  if (kinds.length !== 1) {
    errors.push({
      path: at,
      code: 'POLICY_AUTHORITY_KIND',
      message:
        kinds.length === 0
          ? `set one of ${AUTHORITY_KINDS.join(', ')}`
          : `set only one of ${AUTHORITY_KINDS.join(', ')} (found ${kinds.join(' and ')}); use separate authorities`,
    });
  }
}

// validateCosign checks the key / keyless choice and rejects the cosign features not implemented yet.
function validateCosign(
  cosign: Record<string, unknown>,
  at: string,
  kind: PolicyObject['kind'],
  namespace: string | undefined,
  errors: FieldError[],
): void {
  if (cosign.key === undefined && cosign.keyless === undefined) {
    errors.push({
      path: `${at}.key`,
      code: 'POLICY_FIELD_REQUIRED',
      message: 'a cosign authority needs a key',
    });
  }
  if (cosign.key !== undefined && cosign.keyless !== undefined) {
    errors.push({
      path: at,
      code: 'POLICY_FIELD_VALUE',
      message: 'set either key or keyless, not both; use two authorities',
    });
  }
  if (cosign.keyless !== undefined) {
    errors.push({
      path: `${at}.keyless`,
      code: 'POLICY_AUTHORITY_UNSUPPORTED',
      message: 'cosign keyless authorities are not supported by this version yet',
    });
  }
  if (Array.isArray(cosign.attestations) && cosign.attestations.length > 0) {
    errors.push({
      path: `${at}.attestations`,
      code: 'POLICY_AUTHORITY_UNSUPPORTED',
      message: 'cosign attestation checks are not supported by this version yet',
    });
  }
  if (isRecord(cosign.tlog) && cosign.tlog.required === true) {
    errors.push({
      path: `${at}.tlog.required`,
      code: 'POLICY_AUTHORITY_UNSUPPORTED',
      message: 'requiring a transparency-log entry is not supported by this version yet',
    });
  }
  const key = cosign.key;
  if (!isRecord(key)) return;
  if ((key.data === undefined) === (key.secretRef === undefined)) {
    errors.push({
      path: `${at}.key`,
      code: key.data === undefined ? 'POLICY_FIELD_REQUIRED' : 'POLICY_FIELD_VALUE',
      message: 'set exactly one of data (PEM) or secretRef',
    });
  }
  if (isRecord(key.secretRef))
    checkSecretNamespace(key.secretRef, `${at}.key.secretRef`, kind, namespace, errors);
}

// checkSecretNamespace stops an ImagePolicy from reading another namespace's Secrets (confused deputy),
// and makes ClusterImagePolicy references explicit.
function checkSecretNamespace(
  ref: Record<string, unknown>,
  at: string,
  kind: PolicyObject['kind'],
  namespace: string | undefined,
  errors: FieldError[],
): void {
  if (kind === 'ClusterImagePolicy' && ref.namespace === undefined) {
    errors.push({
      path: `${at}.namespace`,
      code: 'POLICY_FIELD_REQUIRED',
      message: "a ClusterImagePolicy must name the Secret's namespace",
    });
  }
  if (
    kind === 'ImagePolicy' &&
    ref.namespace !== undefined &&
    namespace !== undefined &&
    ref.namespace !== namespace
  ) {
    errors.push({
      path: `${at}.namespace`,
      code: 'POLICY_FIELD_NOT_ALLOWED',
      message: `an ImagePolicy may only use Secrets of its own namespace ${quote(namespace)}`,
    });
  }
}
