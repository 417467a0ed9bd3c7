// Break-glass rules that do not depend on a policy failure: what requests it, what a valid reason is, how a
// reason is recorded, and whose requests inherit a decision made earlier (docs/policy.md, "Break-glass").

/** The annotations that request break-glass (ours, and OKE's); either one set to exactly "true" counts. */
export const BREAK_GLASS_ANNOTATIONS = [
  'portcullis.dev/break-glass',
  'oracle.image-policy.k8s.io/break-glass',
] as const;
/** The annotation that carries the reason (free text from the user: attacker-controlled). */
export const BREAK_GLASS_REASON_ANNOTATION = 'portcullis.dev/break-glass-reason';
/** The only value that requests break-glass; `True`, ` true ` or `yes` do not. */
export const BREAK_GLASS_REQUEST_VALUE = 'true';
/** Longest break-glass reason accepted, in characters (code points) after trimming; documented in docs/policy.md. */
export const MAX_BREAK_GLASS_REASON_CHARS = 256;

/** What break-glass does for an image no policy governs, under `--no-match deny`. */
export type BreakGlassUngoverned = 'admit' | 'deny';

/** This webhook's break-glass settings (serve flags `--break-glass-*`). */
export interface BreakGlassSettings {
  /**
   * User names of the cluster's own controllers. Their requests skip `allowedGroups`: the object they create
   * (a ReplicaSet, a Pod) comes from a template whose author was judged when they submitted it.
   */
  readonly trustedControllers: readonly string[];
  readonly ungoverned: BreakGlassUngoverned;
}

/**
 * The identities under which kube-controller-manager creates pod-bearing objects from templates: itself
 * (without --use-service-account-credentials), and, with it, the service accounts of the controllers that
 * create Pods (replicaset, replication, statefulset, daemon-set, job) or workloads from templates
 * (deployment: ReplicaSets; cronjob: Jobs).
 */
export const DEFAULT_TRUSTED_CONTROLLERS: readonly string[] = Object.freeze([
  'system:kube-controller-manager',
  ...[
    'replicaset-controller',
    'replication-controller',
    'statefulset-controller',
    'daemon-set-controller',
    'job-controller',
    'cronjob-controller',
    'deployment-controller',
  ].map((name) => `system:serviceaccount:kube-system:${name}`),
]);

/** The defaults: kube-controller-manager's identities, and ungoverned images admitted (OKE behaviour, audited). */
export const DEFAULT_BREAK_GLASS_SETTINGS: BreakGlassSettings = Object.freeze({
  trustedControllers: DEFAULT_TRUSTED_CONTROLLERS,
  ungoverned: 'admit',
});

/** What the break-glass annotations of one object say. */
export interface BreakGlassAnnotationState {
  /** The annotation set to exactly "true", when one is. */
  readonly requestedBy?: string;
  /** An annotation present with another value (not "false"): ignored, and the user is told why. */
  readonly nearMiss?: { readonly annotation: string; readonly value: string };
}

// toBreakGlassState reads the break-glass annotations (attacker-controlled values) of a pod or pod template.
export function toBreakGlassState(annotations: Readonly<Record<string, string>>): BreakGlassAnnotationState {
  const requestedBy = BREAK_GLASS_ANNOTATIONS.find((name) => annotations[name] === BREAK_GLASS_REQUEST_VALUE);
  if (requestedBy !== undefined) return { requestedBy };
  for (const annotation of BREAK_GLASS_ANNOTATIONS) {
    const value = annotations[annotation];
    if (value !== undefined && value !== 'false') return { nearMiss: { annotation, value } };
  }
  return {};
}

/** A reason as judged: absent, without any visible character, too long, or usable. */
export type ReasonCheck =
  | { readonly kind: 'absent' }
  | { readonly kind: 'invisible' }
  | { readonly kind: 'too-long'; readonly length: number; readonly text: string }
  | { readonly kind: 'ok'; readonly text: string };

const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;
// Letters and symbols that render as nothing: default-ignorables (Hangul fillers, variation selectors, tags)
// and the blank Braille pattern.
const BLANK = /[\p{Default_Ignorable_Code_Point}\u2800]/u;

// hasVisibleCharacter: does the text hold a letter, digit, punctuation or symbol that renders as something?
// Whitespace, control (Cc), format (Cf: U+200B, U+FEFF, U+2060, bidi controls) and combining marks alone do not.
export function hasVisibleCharacter(text: string): boolean {
  for (const ch of text) if (VISIBLE.test(ch) && !BLANK.test(ch)) return true;
  return false;
}

// checkReason judges the raw reason annotation (attacker-controlled, possibly huge) without cutting it.
export function checkReason(raw: string | undefined): ReasonCheck {
  if (raw === undefined || raw.trim() === '') return { kind: 'absent' };
  const text = raw.trim();
  if (!hasVisibleCharacter(text)) return { kind: 'invisible' };
  const length = codePointLength(text, MAX_BREAK_GLASS_REASON_CHARS + 1);
  if (length > MAX_BREAK_GLASS_REASON_CHARS) return { kind: 'too-long', length: [...text].length, text };
  return { kind: 'ok', text };
}

// codePointLength counts code points, stopping early once `stopAt` is reached.
function codePointLength(text: string, stopAt: number): number {
  let n = 0;
  for (const _ of text) if (++n >= stopAt) break;
  return n;
}

const LINE_BREAKING = /[\p{Cc}\u2028\u2029]+/gu;
const FORMAT = /[\p{Cf}]/gu;

/**
 * The reason as it goes into audit annotations, Events, log lines and warnings: the first
 * MAX_BREAK_GLASS_REASON_CHARS characters, control characters and line separators as one space, format
 * characters (zero-width, bidi) escaped as `\u200b`, and a visible marker when it was cut. Empty for a reason
 * that is absent or has nothing visible.
 */
export function toRecordedReason(check: ReasonCheck): string {
  if (check.kind === 'absent' || check.kind === 'invisible') return '';
  const head = [...check.text].slice(0, MAX_BREAK_GLASS_REASON_CHARS).join('');
  const clean = head
    .replace(LINE_BREAKING, ' ')
    .replace(FORMAT, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
    .trim();
  return check.kind === 'too-long' ? `${clean}… (cut: the reason has ${check.length} characters)` : clean;
}

// isTrustedController: is this request made by one of the cluster's controllers (break-glass inherited)?
export function isTrustedController(settings: BreakGlassSettings, userName: string): boolean {
  return settings.trustedControllers.includes(userName);
}
