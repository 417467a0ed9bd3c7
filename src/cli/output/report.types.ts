import type { SignerIdentity } from '../../policy/decide/decision.types';

/** The version of the JSON that `verify --output json` and `review --output json` print (docs/cli-output.md). */
export const CLI_OUTPUT_API_VERSION = 'portcullis.dev/cli-output/v1';

/** What one authority of one policy said about one image. */
export interface AuthorityReport {
  readonly authority: string;
  readonly passed: boolean;
  /** On a failure: the stable error code (docs/errors.md) and the reason. */
  readonly code?: string;
  readonly reason?: string;
  /** On a pass: one line naming the signature that verified, and who signed it. */
  readonly summary?: string;
  readonly signer?: SignerIdentity;
  readonly warnings?: readonly string[];
}

/** One governing policy's verdict on one image. */
export interface PolicyReport {
  readonly policy: string;
  readonly mode: string;
  readonly passed: boolean;
  readonly reasons: readonly string[];
  readonly authorities: readonly AuthorityReport[];
}

/** One image field as judged. */
export interface ImageReport {
  /** The reference exactly as written. */
  readonly image: string;
  /** Where it sits in the object, e.g. `spec.template.spec.containers[0].image`. */
  readonly field: string;
  /** The digest it resolved to, on denials too when resolution succeeded. */
  readonly digest?: string;
  readonly error?: { readonly code: string; readonly reason: string };
  readonly policies: readonly PolicyReport[];
}

/** Where an image of `verify -f` was found. */
export interface SourceReport {
  readonly file: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name?: string;
  readonly field: string;
}

/** One judged unit: an image (`verify`) or an object (`review`). */
export interface ResultReport {
  readonly kind: 'image' | 'object';
  /** `verify`: the image as written. */
  readonly image?: string;
  /** `review`: the object judged. */
  readonly object?: { readonly kind: string; readonly namespace: string; readonly name?: string };
  readonly namespace: string;
  /** `verify -f`: every place the image was found (absent for image arguments). */
  readonly sources?: readonly SourceReport[];
  readonly allowed: boolean;
  readonly message?: string;
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
  readonly images: readonly ImageReport[];
  /** `review`: the AdmissionReview the webhook would answer. */
  readonly admissionReview?: unknown;
}

/** An object of a manifest that runs no images. */
export interface SkippedReport {
  readonly file?: string;
  readonly location: string;
  readonly kind: string;
  readonly name?: string;
  readonly reason: string;
}

/** The whole JSON document. */
export interface CliReport {
  readonly apiVersion: typeof CLI_OUTPUT_API_VERSION;
  readonly kind: 'VerifyReport' | 'ReviewReport';
  readonly allowed: boolean;
  readonly results: readonly ResultReport[];
  readonly skipped: readonly SkippedReport[];
}
