// The policy layer's public surface (pure): CRD types, validation, compilation, matching and the decision.
export * from './errors';
export type * from './crd/crd.types';
export { POLICY_API_GROUP, POLICY_API_VERSION } from './crd/crd.types';
export type * from './compile/compiled.types';
export type * from './decide/decision.types';
export { validatePolicyObject, type ValidateOptions, type ValidationResult } from './compile/validate';
export { AUTHORITY_KINDS } from './authorities/validate';
export * from './authorities/keys';
export {
  compilePolicy,
  policyId,
  type CompileOptions,
  type ConfigMapLookup,
  type SecretLookup,
} from './compile/compile';
export { resolveTrustedRoot, DEFAULT_TRUSTED_ROOT_KEY } from './authorities/trusted-root-ref';
export * from './compile/compile-set';
export { compileLabelSelector } from './decide/label-selector';
export { selectPolicies, matchesImage, selectionSubject, type SelectionSubject } from './decide/match';
export { decide, DENY_STATUS_CODE, AUDIT_KEYS } from './decide/decide';
export { isAvailabilityErrorCode } from './decide/decide-image';
export {
  MAX_MESSAGE_IMAGES,
  MAX_REASON_CHARS,
  MAX_WARNINGS,
  MAX_WARNING_CHARS,
  MAX_ANNOTATION_VALUE_CHARS,
} from './decide/decide-format';
export * from './decide/break-glass';
export * from './crd/documents';
export * from './compile/lint';
export * from './compile/status';
export { MAX_IMAGES_PER_POLICY, MAX_AUTHORITIES_PER_POLICY } from './crd/schema';
