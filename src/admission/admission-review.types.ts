import type { AdmissionRequestFacts, ImageUse, PodFacts } from './admission.types';

/** Identifies a Kubernetes kind by API group (core is "") and kind, as in `request.kind`. */
export interface KindRef {
  readonly group: string;
  readonly kind: string;
}

/** The result of `decodeAdmissionReview`. */
export interface DecodedAdmissionReview {
  readonly uid: string;
  readonly request: AdmissionRequestFacts;
}

/** A pod spec found inside a pod-bearing object, with where it sits and what the decision needs. */
export interface ExtractedPodSpec {
  /** The spec object itself (attacker-controlled; shape-checked only where extraction reads it). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Keys from the object root to the spec, e.g. `['spec', 'template', 'spec']`. */
  readonly specPath: readonly string[];
  readonly facts: PodFacts;
  /** Which container lists are judged: all three, or only `ephemeralContainers` for that subresource. */
  readonly containerKinds: readonly ImageUse['containerKind'][];
}

/** One RFC 6902 operation; Portcullis only emits `test` (guard) and `replace` on string image fields. */
export interface JsonPatchOp {
  readonly op: 'test' | 'replace' | 'add';
  readonly path: string;
  readonly value: string | Readonly<Record<string, string>>;
}

/** `status` of a denying AdmissionResponse (a subset of metav1.Status). */
export interface AdmissionResponseStatus {
  readonly code: number;
  readonly message: string;
  readonly reason?: string;
}

/** The `response` of an AdmissionReview v1 answer. */
export interface AdmissionResponseBody {
  readonly uid: string;
  readonly allowed: boolean;
  readonly status?: AdmissionResponseStatus;
  readonly warnings?: readonly string[];
  readonly auditAnnotations?: Readonly<Record<string, string>>;
  readonly patchType?: 'JSONPatch';
  /** Base64 of the JSON-encoded patch array. */
  readonly patch?: string;
}

/** The AdmissionReview v1 object the webhook returns. */
export interface AdmissionReviewResponse {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: AdmissionResponseBody;
}

/** A non pod-bearing object that `toReviewRequests` left out, so the CLI can say so. */
export interface SkippedObject {
  /** Position among the documents, with the list item if any, e.g. `document 2, item 0`. */
  readonly location: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  readonly reason: string;
}

/** What `toReviewRequests` found in the documents of a file. */
export interface ReviewRequests {
  readonly requests: readonly DecodedAdmissionReview[];
  readonly skipped: readonly SkippedObject[];
}
