import type { BreakGlassSettings } from './break-glass';
import type { CompiledPolicy, NoMatchAction } from '../compile/compiled.types';
import type { NamespaceLabelFacts } from './namespace-labels';
import type { PodPlacement } from '../../admission/admission.types';

/**
 * Who signed what an authority accepted: a public key (by its id), a keyless certificate's identity
 * (subject and OIDC issuer), or a certificate (its subject, for X.509 schemes such as Notation).
 * Attacker-influenced text: printed quoted, never interpreted.
 */
export type SignerIdentity =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'keyless'; readonly subject?: string; readonly issuer?: string }
  | { readonly kind: 'certificate'; readonly subject: string };

/** The result of running one authority of one policy against one image. */
export type AuthorityOutcome =
  | {
      readonly authority: string;
      readonly ok: true;
      readonly summary: string;
      readonly warnings: readonly string[];
      /** Which key, identity or certificate verified; absent when the verifier cannot say (or a shared cache answered). */
      readonly signer?: SignerIdentity;
    }
  | { readonly authority: string; readonly ok: false; readonly code: string; readonly reason: string };

/**
 * The encryption state of a digest, counted over every platform manifest an index names (or the one
 * manifest). Only layers count: config and non-layer blobs (attestations, SBOMs) do not.
 */
export interface LayerEncryption {
  readonly layers: number;
  /** Layers whose media type ends in `+encrypted` (ocicrypt). */
  readonly encrypted: number;
  /** Image manifests judged: 1, or the platforms of an index. */
  readonly manifests: number;
}

/** Policies a tag-limited excludeImages entry would have taken off a `repo:tag@digest` image, and why it did not. */
export interface UnboundExclusion {
  readonly tag: string;
  readonly policyIds: readonly string[];
  /** Why the tag is not bound, e.g. `the tag names sha256:…, not this digest`. */
  readonly why: string;
}

/** All facts gathered (with I/O) about one image field; the pure decision consumes these. */
export interface ImageFacts {
  /** The image string exactly as in the spec (attacker-controlled). */
  readonly image: string;
  /** Where it sits, e.g. `spec.template.spec.initContainers[0].image`. */
  readonly field: string;
  /** The same place as a JSON pointer, for /mutate patches, e.g. `/spec/template/spec/initContainers/0/image`. */
  readonly pointer: string;
  /** Normalised reference, when the string parsed. */
  readonly normalized?: string;
  /** Set when the reference did not parse: code + reason. */
  readonly invalid?: { readonly code: string; readonly reason: string };
  /** Policies governing this image (empty: --no-match applies and no registry was contacted). */
  readonly policies: readonly CompiledPolicy[];
  /** The digest the image resolved to, when resolution succeeded. */
  readonly digest?: string;
  /** Set when resolution failed (registry unreachable, not found, deadline, auth). */
  readonly resolveError?: { readonly code: string; readonly reason: string };
  /**
   * Why the authorities were not run although the image is governed (e.g. `requireDigest` decided first,
   * or /validate only checks that an unpinned image resolves); completes POLICY_NOT_EVALUATED's reason.
   */
  readonly skipped?: string;
  /**
   * Set when the registry was unreachable and the tag was pinned to the digest it resolved to earlier
   * (registry.onError: allowVerified): how many minutes ago that resolution was made. The user is warned.
   */
  readonly staleResolutionMinutes?: number;
  /** The digest's layer encryption, when a governing policy judges encryption (spec.encryption, placement.when). */
  readonly encryption?: LayerEncryption;
  /** Set when the encryption state was needed but could not be read: the policies needing it deny. */
  readonly encryptionError?: { readonly code: string; readonly reason: string };
  /** Set when tag-limited excludeImages entries did not apply: the tag is not known to resolve to the digest. */
  readonly unboundExclusion?: UnboundExclusion;
  /** Per policy id: what each authority said. Absent when resolution failed. */
  readonly outcomes: Readonly<Record<string, readonly AuthorityOutcome[]>>;
}

/** Request-level facts for the decision. */
export interface RequestFacts {
  readonly namespace: string;
  readonly objectKind: string;
  readonly objectName: string;
  /** `oracle.image-policy.k8s.io/break-glass` or `portcullis.dev/break-glass` was exactly "true". */
  readonly breakGlassRequested: boolean;
  readonly breakGlassAnnotation?: string;
  /** The reason annotation as written (attacker-controlled, unbounded): the decision judges and cleans it. */
  readonly breakGlassReason?: string;
  /** A break-glass annotation with another value (` TRUE `, `yes`): no request, and the user is warned. */
  readonly breakGlassNearMiss?: { readonly annotation: string; readonly value: string };
  /** The webhook's break-glass settings; DEFAULT_BREAK_GLASS_SETTINGS when absent. */
  readonly breakGlassSettings?: BreakGlassSettings;
  /** On a break-glass request: the policies governing any image of the object, judged now or not. */
  readonly breakGlassPolicies?: readonly CompiledPolicy[];
  readonly userName: string;
  readonly userGroups: readonly string[];
  readonly noMatch: NoMatchAction;
  /**
   * /validate of a Pod (CREATE, UPDATE, ephemeralcontainers): every governed image must be pinned to its
   * digest, else ADMISSION_NOT_PINNED (the pinning guarantee, docs/policy.md). Off for templates and the CLI.
   */
  readonly requirePinned?: boolean;
  /**
   * Judged outside a cluster (`verify`, `review`): there is no break-glass to ask an SRE about, so the hint
   * does not suggest it. Refusals of an object's own break-glass annotation are still reported.
   */
  readonly outsideCluster?: boolean;
  /** Where the pod (or the workload's pod template) asks to run, for spec.placement; absent for the CLI. */
  readonly placement?: PodPlacement;
  /** `placement` is a workload's pod template: placement.mutate rules are judged as /mutate completes Pods. */
  readonly placementTemplate?: boolean;
  /** What the policies were selected with; a selector it could not judge adds a warning (docs/policy.md). */
  readonly namespaceLabels?: NamespaceLabelFacts;
}

/** One image's verdict against one policy. */
export interface PolicyVerdict {
  readonly policyId: string;
  readonly mode: CompiledPolicy['mode'];
  readonly passed: boolean;
  /** Why it failed, one line per failing authority (or the digest rule / resolve failure). */
  readonly reasons: readonly string[];
  /** What each authority said (empty when none ran: resolve failure, requireDigest, not ready). */
  readonly authorities: readonly AuthorityOutcome[];
}

/** What was decided about one image field of a request. */
export interface ImageDecision {
  readonly image: string;
  readonly field: string;
  /** The digest the image resolved to, on denials too, when resolution succeeded. */
  readonly digest?: string;
  /** Why the image could not be judged at all: an invalid reference or a failed resolution. */
  readonly error?: { readonly code: string; readonly reason: string };
  readonly verdicts: readonly PolicyVerdict[];
}

/** The pure decision for a whole request. The admission layer turns it into an AdmissionResponse. */
export interface Decision {
  readonly allowed: boolean;
  /** Present when denied: names image, digest, policy, each authority's reason, and ends with a hint. */
  readonly message?: string;
  readonly code?: number;
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
  /** True when admission happened only because of break-glass. */
  readonly breakGlassUsed: boolean;
  /** Images that verified and may be pinned by /mutate: field → `digest`. */
  readonly verified: readonly {
    readonly field: string;
    readonly pointer: string;
    readonly image: string;
    readonly digest: string;
  }[];
  /** For logs, metrics and the CLI: per image, the policies and their verdicts. */
  readonly images: readonly ImageDecision[];
}
