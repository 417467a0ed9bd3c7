import type { PolicyObject } from '../crd/crd.types';
import { MAX_STALENESS_MS, STALENESS_UNIT_MS } from '../limits';
import type { FieldError } from '../errors';
import { validateOciVault } from './oracle-vault';
import { validateSignedIdentity, validateSimpleSigning } from './simple-signing';
import { quote } from '../crd/schema-validate';
import { isRecord } from '../../guards';

/** The authority kinds the schema accepts; each has a verifier (a kind without one is not listed here). */
export const AUTHORITY_KINDS = ['cosign', 'notaryV1', 'notation', 'ociVault', 'simpleSigning'] as const;

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
    if (isRecord(authority.simpleSigning))
      validateSimpleSigning(authority.simpleSigning, `${at}.simpleSigning`, errors, (ref, path) =>
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
  if (isRecord(registry)) validateStaleness(registry, errors);
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

// validateStaleness: maxStaleness belongs to onError: allowVerified, and is at most MAX_STALENESS_MS.
function validateStaleness(registry: Record<string, unknown>, errors: FieldError[]): void {
  const text = registry.maxStaleness;
  if (typeof text !== 'string') return;
  if (registry.onError !== 'allowVerified') {
    errors.push({
      path: 'spec.registry.maxStaleness',
      code: 'POLICY_INVALID',
      message: 'maxStaleness only applies with onError: allowVerified; set onError or remove maxStaleness',
    });
  }
  const ms = Number(text.slice(0, -1)) * (STALENESS_UNIT_MS[text.slice(-1)] ?? NaN);
  if (!(ms <= MAX_STALENESS_MS)) {
    errors.push({
      path: 'spec.registry.maxStaleness',
      code: 'POLICY_INVALID',
      message: `maxStaleness ${JSON.stringify(text)} is longer than ${MAX_STALENESS_MS / 86_400_000}d, the most Portcullis honours`,
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

// validateCosign checks the key / keyless choice, each keyless identity, attestation names and signedIdentity.
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
  if (isRecord(cosign.keyless)) validateKeyless(cosign.keyless, `${at}.keyless`, errors);
  if (Array.isArray(cosign.attestations))
    validateAttestationNames(cosign.attestations, `${at}.attestations`, errors);
  validateSignedIdentity(cosign.signedIdentity, `${at}.signedIdentity`, errors);
  if (
    cosign.signedIdentity !== undefined &&
    Array.isArray(cosign.attestations) &&
    cosign.attestations.length > 0
  )
    errors.push({
      path: `${at}.signedIdentity`,
      code: 'POLICY_FIELD_NOT_ALLOWED',
      message:
        'attestations (in-toto statements) carry no docker-reference; use signedIdentity without attestations',
    });
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

// validateKeyless demands an issuer and a subject per identity: "any subject of this issuer" would let
// every user of a public OIDC provider sign, so a wide match must be written out as a regular expression.
function validateKeyless(keyless: Record<string, unknown>, at: string, errors: FieldError[]): void {
  const identities = Array.isArray(keyless.identities) ? keyless.identities : [];
  identities.forEach((identity: unknown, i) => {
    if (!isRecord(identity)) return;
    for (const field of ['issuer', 'subject'] as const) {
      const exact = identity[field] !== undefined;
      const pattern = identity[`${field}RegExp`] !== undefined;
      if (exact === pattern) {
        errors.push({
          path: `${at}.identities[${i}].${field}`,
          code: exact ? 'POLICY_FIELD_VALUE' : 'POLICY_FIELD_REQUIRED',
          message: exact
            ? `set either ${field} or ${field}RegExp, not both`
            : `set ${field} (exact) or ${field}RegExp (anchored regular expression); use ${field}RegExp: ".*" to accept any`,
        });
      }
    }
  });
}

// validateAttestationNames keeps attestation names unique: messages name the attestation that failed.
function validateAttestationNames(list: unknown[], at: string, errors: FieldError[]): void {
  const seen = new Map<string, number>();
  list.forEach((a: unknown, i) => {
    if (!isRecord(a) || typeof a.name !== 'string') return;
    const first = seen.get(a.name);
    if (first === undefined) seen.set(a.name, i);
    else
      errors.push({
        path: `${at}[${i}].name`,
        code: 'POLICY_FIELD_VALUE',
        message: `attestation name ${quote(a.name)} is already used by ${at}[${first}]`,
      });
  });
}
