import { quoteInput } from '../../reference/errors';
import { BREAK_GLASS_ANNOTATIONS } from './break-glass';
import type { ImageResult, PolicyFailure } from './decide-image';

/** At most this many denied images are spelled out in a denial message; the rest are counted. */
export const MAX_MESSAGE_IMAGES = 5;
/** Each reason line (often quoting registry answers, attacker-controlled) is cut to this length. */
export const MAX_REASON_CHARS = 512;
/** At most this many warnings are returned; kubectl prints each one. */
export const MAX_WARNINGS = 16;
/**
 * Longest warning: the API server may truncate longer ones, so we cut them ourselves, keeping the start.
 * The AdmissionResponse enforces the same limit (admission/response.ts imports it).
 */
export const MAX_WARNING_CHARS = 256;
/**
 * Longest value of one audit annotation (these land in every audit-log entry of the request). The
 * AdmissionResponse enforces the same limit, so a value bounded here reaches the audit log whole.
 */
export const MAX_ANNOTATION_VALUE_CHARS = 1024;

// oneLine makes text safe for a header, a log line or a message line: no control characters, bounded.
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Joins parts, dropping whole parts (counted) once `max` characters would be exceeded. */
export function boundedJoin(parts: readonly string[], separator: string, max: number): string {
  let out = '';
  let used = 0;
  for (const part of parts) {
    const next = used === 0 ? part : `${out}${separator}${part}`;
    if (next.length > max - 24) break;
    out = next;
    used++;
  }
  if (used === 0 && parts.length > 0) return oneLine(parts[0] ?? '', max);
  return used < parts.length ? `${out}${separator}… (${parts.length - used} more)` : out;
}

/** `image "x" (field)`, with the attacker-controlled image quoted safely. */
export function imageLabel(result: ImageResult): string {
  return `image ${quoteInput(result.facts.image)} (${result.facts.field})`;
}

/** Fewest characters of the image reference a warning keeps, however long its message. */
const MIN_WARNING_IMAGE_CHARS = 40;
/** Hex digits of a digest kept when a warning has to shorten the image reference. */
const SHORT_DIGEST_HEX = 12;

/**
 * warningLine renders `<prefix><image label><text>` within MAX_WARNING_CHARS by shortening the image reference
 * first (digest to 12 hex digits, then the start of the name), so that the message itself, which says what
 * happened, is what survives; only a message too long on its own is cut at its end.
 */
export function warningLine(prefix: string, result: ImageResult, text: string): string {
  const whole = `${prefix}${imageLabel(result)}${text}`;
  if (whole.length <= MAX_WARNING_CHARS) return oneLine(whole, MAX_WARNING_CHARS);
  // Everything but the quoted reference, plus its two quotes, stays; the reference gets what is left.
  const rest = whole.length - quoteInput(result.facts.image).length + 2;
  const budget = Math.max(MIN_WARNING_IMAGE_CHARS, MAX_WARNING_CHARS - rest);
  const image = compactImage(result.facts.image, budget);
  return oneLine(`${prefix}image ${quoteInput(image)} (${result.facts.field})${text}`, MAX_WARNING_CHARS);
}

// compactImage shortens a reference for a warning (ASCII dots: quoteInput escapes others): digest, then name start.
function compactImage(image: string, max: number): string {
  const at = image.indexOf('@sha256:');
  let out = image;
  if (at >= 0 && image.length - at > 8 + SHORT_DIGEST_HEX)
    out = `${image.slice(0, at + 8 + SHORT_DIGEST_HEX)}...`;
  return out.length <= max ? out : `...${out.slice(out.length - (max - 3))}`;
}

// failureLines renders one failure: a policy header with its reasons indented, or bare reasons.
function failureLines(f: PolicyFailure): string[] {
  const reasons = f.lines.map((l) => oneLine(l, MAX_REASON_CHARS));
  if (!f.policy) return reasons.map((r) => `- ${r}`);
  if (f.kind === 'authorities') {
    const [header, ...rest] = reasons;
    return [`- policy ${f.policy.id}: ${header ?? ''}`, ...rest.map((r) => `  - ${r}`)];
  }
  return reasons.map((r) => `- policy ${f.policy?.id ?? ''}: ${r}`);
}

/** The denial text: every denied image (bounded), refusal lines, and one closing hint line. */
export function formatDenial(
  denied: readonly ImageResult[],
  refusals: readonly string[],
  breakGlassRequested: boolean,
  inCluster = true,
): string {
  const lines: string[] = [];
  for (const r of denied.slice(0, MAX_MESSAGE_IMAGES)) {
    const at = r.facts.digest ? ` resolved to ${r.facts.digest}` : '';
    lines.push(`${imageLabel(r)}${at} is denied:`);
    for (const f of [...r.hard, ...r.enforce]) lines.push(...failureLines(f));
  }
  if (denied.length > MAX_MESSAGE_IMAGES)
    lines.push(`… and ${denied.length - MAX_MESSAGE_IMAGES} more denied images`);
  if (breakGlassRequested) {
    const why = refusals.length > 0 ? refusals : ['break-glass cannot admit an invalid image reference'];
    lines.push(`break-glass refused: [POLICY_BREAK_GLASS_REFUSED] ${why.join('; ')}`);
  }
  lines.push(`hint: ${hints(denied, inCluster && !breakGlassRequested && refusals.length === 0)}`);
  return lines.join('\n');
}

// repositoryOf strips tag and digest from a normalised reference, for commands in hints.
function repositoryOf(normalized: string): string {
  const at = normalized.indexOf('@');
  const base = at >= 0 ? normalized.slice(0, at) : normalized;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? base.slice(0, colon) : base;
}

// hints picks one short advice per kind of failure, in the order they appear.
function hints(denied: readonly ImageResult[], suggestBreakGlass: boolean): string {
  const out = new Set<string>();
  let breakGlassPossible = suggestBreakGlass;
  for (const r of denied) {
    const name = r.facts.normalized ? repositoryOf(r.facts.normalized) : r.facts.image;
    for (const f of [...r.hard, ...r.enforce]) {
      if (f.kind === 'invalid') breakGlassPossible = false;
      if (f.policy && !f.policy.breakGlass.allowed) breakGlassPossible = false;
      out.add(hintFor(f, name, r.facts.digest));
    }
  }
  const text = [...out].slice(0, 3).join('; ');
  return breakGlassPossible
    ? `${text}; or ask an SRE about break-glass (annotation ${BREAK_GLASS_ANNOTATIONS[0]}: "true", audited)`
    : text;
}

// hintFor says what to do about one kind of failure.
function hintFor(f: PolicyFailure, name: string, digest: string | undefined): string {
  switch (f.kind) {
    case 'invalid':
      return 'fix the image reference';
    case 'no-match':
      return `add an ImagePolicy or ClusterImagePolicy whose images match ${name}, or run portcullis with --no-match allow`;
    case 'digest-required':
      return `reference the image by digest (${name}@sha256:…; \`crane digest\` prints it)`;
    case 'not-ready':
      return `fix policy ${f.policy?.id ?? ''} (kubectl describe shows why it is not Ready)`;
    case 'resolve':
      return "check that the image exists and that the pod's imagePullSecrets or the policy's registry.credentials grant access";
    case 'authorities':
      return signHint(f, `${name}@${digest ?? '<digest>'}`);
    case 'not-pinned':
      return (
        'the mutating webhook (mutate.portcullis.dev) should have pinned it: check that it is installed and look for its errors in the portcullis log, ' +
        `or write the digest yourself (${name}@sha256:…)`
      );
    case 'not-evaluated':
      return 'retry; if it persists, report it with the portcullis logs';
    case 'encryption':
      return encryptionHint(f, name);
    case 'placement':
      return (
        "request what the policy names in the pod (or the workload's pod template): spec.runtimeClassName, " +
        `spec.nodeSelector or required node affinity; or set placement.mutate: true in policy ${f.policy?.id ?? ''}`
      );
  }
}

// encryptionHint says how to make an image that the policy's encryption rule accepts.
function encryptionHint(f: PolicyFailure, name: string): string {
  if (f.policy?.encryption === 'forbidden')
    return `run the plaintext image (skopeo copy --decryption-key <private.pem> docker://${name}:<tag> docker://${name}:<tag>-plain), then sign it`;
  if (f.policy?.encryption === 'required' && f.lines[0]?.startsWith('[POLICY_ENCRYPTION_REQUIRED]'))
    return `encrypt every layer (skopeo copy --encryption-key jwe:<public.pem> docker://${name}:<tag> docker://${name}:<tag>-enc), then sign the new digest`;
  return "check that the image's manifests can be read (registry access, credentials)";
}

// signHint tells how to sign for the first failing authority: a keyless one wants a signer identity, not a key.
function signHint(f: PolicyFailure, image: string): string {
  const name = f.authority ?? '?';
  const authority = f.policy?.authorities.find((a) => a.name === name);
  if (authority?.kind === 'cosign' && authority.keyless !== undefined)
    return `sign the image keylessly as an identity that authority "${name}" accepts (cosign sign ${image})`;
  return `sign the image with the key of authority "${name}" (cosign sign --key <key> ${image})`;
}

/** Warning lines, each bounded, at most MAX_WARNINGS (the last one counts what was dropped). */
export function boundWarnings(warnings: readonly string[]): string[] {
  const lines = warnings.map((w) => oneLine(w, MAX_WARNING_CHARS));
  if (lines.length <= MAX_WARNINGS) return lines;
  return [...lines.slice(0, MAX_WARNINGS - 1), `… and ${lines.length - MAX_WARNINGS + 1} more warnings`];
}
