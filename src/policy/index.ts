// The policy layer's public surface (pure): CRD types, validation, compilation, matching and the decision.
export * from './errors';
export type * from './crd.types';
export { POLICY_API_GROUP, POLICY_API_VERSION } from './crd.types';
export type * from './compiled.types';
export type * from './decision.types';
export { validatePolicyObject, type ValidateOptions, type ValidationResult } from './validate';
export { AUTHORITY_KINDS, SUPPORTED_AUTHORITY_KINDS } from './validate-authorities';
export * from './keys';
export { compilePolicy, policyId, type CompileOptions, type SecretLookup } from './compile';
export * from './compile-set';
export { compileLabelSelector } from './label-selector';
export { selectPolicies, matchesImage } from './match';
export { decide, DENY_STATUS_CODE, AUDIT_KEYS } from './decide';
export { isAvailabilityErrorCode } from './decide-image';
export {
  MAX_MESSAGE_IMAGES,
  MAX_REASON_CHARS,
  MAX_WARNINGS,
  MAX_WARNING_CHARS,
  MAX_ANNOTATION_VALUE_CHARS,
} from './decide-format';
export * from './break-glass';
export * from './documents';
export * from './lint';
export * from './status';
export { MAX_IMAGES_PER_POLICY, MAX_AUTHORITIES_PER_POLICY } from './crd-schema';
