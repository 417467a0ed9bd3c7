/** One image field found in a pod-bearing object. */
export interface ImageUse {
  /** The image string exactly as written (attacker-controlled). */
  readonly image: string;
  /** Dotted path for messages, e.g. `spec.template.spec.initContainers[0].image`. */
  readonly field: string;
  /** JSON pointer for patches, e.g. `/spec/template/spec/initContainers/0/image`. */
  readonly pointer: string;
  readonly container: string;
  readonly containerKind: 'containers' | 'initContainers' | 'ephemeralContainers';
}

/** The pod (or pod template) facts the decision needs beyond images. */
export interface PodFacts {
  /** Annotations of the pod, or of the pod template (break-glass lives here). */
  readonly annotations: Readonly<Record<string, string>>;
  /** Names of the pod spec's `imagePullSecrets`. */
  readonly imagePullSecrets: readonly string[];
  readonly serviceAccountName?: string;
  /**
   * Where the pod asks to run, for `spec.placement` (docs/confidential.md#placement); extractPodSpec always
   * sets it, and absent it reads as requesting nothing (fails closed).
   */
  readonly placement?: PodPlacement;
  /** JSON pointer of the pod spec (`/spec`, `/spec/template/spec`, …), for placement patches. */
  readonly specPointer?: string;
}

/** One `matchExpressions` entry of a required node affinity term; `values` as written (strings only). */
export interface NodeRequirementFacts {
  readonly key: string;
  /** As written; anything but In/NotIn/Exists/DoesNotExist/Gt/Lt guarantees nothing. */
  readonly operator: string;
  readonly values: readonly string[];
}

/** The placement fields of a pod spec (attacker-controlled; unreadable parts read as guaranteeing nothing). */
export interface PodPlacement {
  /** `spec.runtimeClassName`; undefined when the pod requests none. */
  readonly runtimeClassName?: string;
  /** `spec.nodeSelector`, string values only. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /**
   * `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`, each term's matchExpressions; terms
   * are ORed. Undefined when the pod has no required node affinity.
   */
  readonly requiredTerms?: readonly (readonly NodeRequirementFacts[])[];
}

/** The subset of an AdmissionRequest (admission.k8s.io/v1) that Portcullis reads, shape-checked. */
export interface AdmissionRequestFacts {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly resource?: { readonly group: string; readonly version: string; readonly resource: string };
  readonly subResource?: string;
  readonly name?: string;
  readonly namespace: string;
  readonly operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly userInfo: { readonly username: string; readonly groups: readonly string[] };
  readonly dryRun: boolean;
  readonly object?: unknown;
  readonly oldObject?: unknown;
}

/**
 * One admission request read once (`toAdmissionFacts`): the decoded request and what its objects yield. The
 * runtime, the sync guard and the engine read these fields; none of them walks the objects again.
 */
export interface AdmissionFacts {
  readonly request: AdmissionRequestFacts;
  /**
   * False for DELETE and CONNECT, for kinds and subresources that carry no image, and for an UPDATE that
   * leaves every (field, image) pair as it was and does not turn break-glass on.
   */
  readonly needsReview: boolean;
  /** The request creates or changes a Pod itself (not a workload template): its governed images are pinned. */
  readonly isPod: boolean;
  /** Every image field of the new object, in order; [] when the kind or operation needs no review. */
  readonly images: readonly ImageUse[];
  /**
   * The image fields to judge: all of `images` on CREATE; on UPDATE those whose (field, image) pair is new,
   * or all of them when the old object cannot be read; [] when no review is needed.
   */
  readonly judged: readonly ImageUse[];
  /** The pod (or pod template) facts of the new object; undefined when `images` is not read. */
  readonly pod: PodFacts | undefined;
}
