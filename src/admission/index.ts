// The admission layer's public API: decode requests, read them once into facts (images, pod, review), answer.
export type { AdmissionFacts, AdmissionRequestFacts, ImageUse, PodFacts } from './admission.types';
export type {
  AdmissionResponseBody,
  AdmissionResponseStatus,
  AdmissionReviewResponse,
  DecodedAdmissionReview,
  ExtractedPodSpec,
  JsonPatchOp,
  KindRef,
  ReviewRequests,
  SkippedObject,
} from './admission-review.types';
export { ADMISSION_ERROR_CODES, AdmissionError, isAdmissionError, toStatusForCode } from './errors';
export type { AdmissionErrorCode } from './errors';
export {
  ADMISSION_API_VERSION,
  MAX_ADMISSION_REVIEW_BYTES,
  MAX_UID_CHARS,
  decodeAdmissionReview,
  readUid,
} from './decode';
export { DEFAULT_SERVICE_ACCOUNT, MAX_CONTAINERS_PER_OBJECT, extractImages, extractPodSpec } from './extract';
export { EPHEMERAL_CONTAINERS_SUBRESOURCE, isPodBearingKind, toPodBearingKind } from './kinds';
export type { PodBearingKind } from './kinds';
export { toAdmissionFacts } from './facts';
export {
  MAX_AUDIT_ANNOTATIONS,
  MAX_AUDIT_ANNOTATION_KEY_CHARS,
  MAX_AUDIT_ANNOTATION_VALUE_CHARS,
  MAX_MESSAGE_BYTES,
  MAX_WARNINGS_TOTAL_CHARS,
  MAX_WARNING_CHARS,
  isAuditAnnotationKey,
  toAdmissionReview,
  toAuditAnnotationKey,
  toErrorReview,
  toStatusMessage,
  toWarnings,
} from './response';
export { MAX_PINNABLE_REFERENCE_CHARS, buildPinningPatch, toPinnedReference } from './patch';
export {
  MAX_LIST_DEPTH,
  MAX_REVIEW_OBJECTS,
  REVIEW_DEFAULT_NAMESPACE,
  REVIEW_USERNAME,
  toReviewRequests,
} from './review-objects';
