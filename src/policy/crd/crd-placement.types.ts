// The CRD types of spec.encryption and spec.placement (docs/confidential.md), re-exported by crd.types.ts.
// Their doc comments become the CRD's field descriptions (tools/crd-descriptions.ts, ADR 0002).

export type PlacementWhen = 'always' | 'encrypted';

/**
 * What the policy demands of the image's layers (ocicrypt's `+encrypted` layer media types). At most one
 * of the two may be true; with neither, encryption is not judged (docs/confidential.md#encrypted-images).
 */
export interface EncryptionSpec {
  /** Deny an image with any plaintext layer (every layer of every platform must be encrypted). Default false. */
  required?: boolean;
  /** Deny an image with any encrypted layer, for clusters whose nodes cannot decrypt. Default false. */
  forbidden?: boolean;
}

/**
 * Where a pod that runs a governed image may run (docs/confidential.md#placement). A workload is judged on
 * its pod template.
 */
export interface PlacementSpec {
  /** The pod must request one of these RuntimeClasses (`spec.runtimeClassName`), e.g. `kata-qemu-tdx`. */
  runtimeClassNames?: string[];
  /**
   * Node labels the pod's `nodeSelector` or required node affinity must guarantee (every
   * nodeSelectorTerm of the affinity must, since terms are ORed), e.g. `trust.example/attested: "true"`.
   */
  nodeSelector?: Record<string, string>;
  /**
   * Let the mutating webhook add the first RuntimeClass when the pod requests none, and the missing node
   * selector labels; it never overrides a different value (then `/validate` denies). Default false.
   */
  mutate?: boolean;
  /**
   * `always` (default): placement applies to every governed image; `encrypted`: only to an image with
   * at least one encrypted layer (docs/adr/0009-placement-rules.md).
   */
  when?: PlacementWhen;
}
