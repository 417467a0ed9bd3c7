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
