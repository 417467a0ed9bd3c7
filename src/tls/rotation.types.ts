// Types shared by the planner (pure) and the code that applies its plan.

/** What the planner needs to know about one CA certificate of the bundle. */
export interface CaFacts {
  /** SHA-256 fingerprint: identifies the certificate across the Secret and the webhook configurations. */
  readonly id: string;
  readonly notBefore: number;
  readonly notAfter: number;
}

/** What the planner needs to know about the serving certificate in the Secret. */
export interface ServingFacts {
  readonly notBefore: number;
  readonly notAfter: number;
  /** id of the bundle CA that signed it; undefined when it chains to none of them. */
  readonly issuerId: string | undefined;
  /** It names every DNS name the webhook is reached by. */
  readonly namesOk: boolean;
  /** tls.key is its private key. */
  readonly keyMatches: boolean;
}

/** The Secret, parsed. The first CA is the signer (its key is `ca.key`). */
export interface SecretFacts {
  readonly cas: readonly CaFacts[];
  /** `ca.key` is the key of cas[0]. */
  readonly signerKeyMatches: boolean;
  /** `ca-next.key` is the key of cas[1]: a rollover is under way and cas[1] is the incoming CA. */
  readonly incomingKeyMatches: boolean;
  readonly serving: ServingFacts | undefined;
  /** When every webhook was first seen trusting exactly this bundle (annotation). */
  readonly bundlePublishedAt: number | undefined;
  /** When the serving certificate was issued (annotation). */
  readonly servingIssuedAt: number | undefined;
}

/** Input of planRotation. */
export interface RotationState {
  /** undefined: the Secret's CA data is missing or unusable. */
  readonly secret: SecretFacts | undefined;
  /** Every webhook of the named configurations has exactly the Secret's CA set in caBundle. */
  readonly published: boolean;
}

/** Durations the planner and the issuer work with (limits.ts has the defaults). */
export interface RotationDurations {
  readonly caValidityMs: number;
  readonly caRolloverBeforeMs: number;
  /** How long both CAs are trusted before the serving certificate moves, and again before the old CA goes. */
  readonly overlapMs: number;
  readonly servingValidityMs: number;
  readonly servingRenewFraction: number;
}

/** One step. The applier performs it, re-reads, and asks again until `keep`. */
export type RotationAction =
  | { readonly kind: 'keep'; readonly reason: string }
  /** New CA and serving certificate at once: only when the current CA is unusable (downtime unavoidable). */
  | { readonly kind: 'reissue-all'; readonly reason: string }
  /** Patch caBundle of every webhook to the Secret's bundle. */
  | { readonly kind: 'publish-bundle'; readonly reason: string }
  /** Note in the Secret that the bundle is published (starts the overlap clock). */
  | { readonly kind: 'record-published'; readonly reason: string }
  /** New serving certificate from the signer (cas[0]). */
  | { readonly kind: 'renew-serving'; readonly reason: string }
  /** New CA; bundle = signer + new CA; serving certificate unchanged. */
  | { readonly kind: 'start-rollover'; readonly reason: string }
  /** The incoming CA becomes the signer and issues the serving certificate; both stay in the bundle. */
  | { readonly kind: 'finish-rollover'; readonly reason: string }
  /** Bundle = signer only. */
  | { readonly kind: 'drop-old-ca'; readonly reason: string };

export type RotationActionKind = RotationAction['kind'];
