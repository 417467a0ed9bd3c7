import { COSIGN_SIGN_PREDICATE_TYPE, IN_TOTO_STATEMENT_TYPES, SIMPLE_SIGNING_TYPE } from './media-types';
import { isRecord } from '../../guards';
import type { CompiledSignedIdentity } from '../../policy/compile/compiled.types';
import type { ImageRef } from '../../reference';
import { describeRule, matchesSignedIdentity } from '../simple-signing/identity';

/** The result of checking what a verified signature says about the image. */
export type PayloadCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly kind: 'digest' | 'predicate' | 'payload' | 'reference';
      readonly reason: string;
    };

/** An authority's signedIdentity and the image as the pod names it, to compare a payload's docker-reference with. */
export interface ReferenceRule {
  readonly signedIdentity: CompiledSignedIdentity;
  readonly ref: ImageRef;
}

const OK: PayloadCheck = { ok: true };

/**
 * Checks a legacy simple-signing payload (attacker-controlled bytes, already signature-verified):
 * `critical.type` must be cosign's and `critical.image.docker-manifest-digest` must be `digest`.
 * `critical.identity.docker-reference` is compared only under a signedIdentity `rule` (cosign itself never
 * compares it; see docs/cosign.md), with the simpleSigning authority's matcher.
 */
export function checkSimpleSigningPayload(
  payload: Buffer,
  digest: string,
  rule?: ReferenceRule,
): PayloadCheck {
  const json = parseJson(payload);
  const critical = isRecord(json) ? json['critical'] : undefined;
  if (!isRecord(critical)) return invalid('payload is not a simple-signing JSON object with "critical"');
  if (critical['type'] !== SIMPLE_SIGNING_TYPE) {
    return invalid(`payload critical.type is ${quote(critical['type'])}, not "${SIMPLE_SIGNING_TYPE}"`);
  }
  const image = critical['image'];
  const signed = isRecord(image) ? image['docker-manifest-digest'] : undefined;
  if (typeof signed !== 'string') return invalid('payload has no critical.image.docker-manifest-digest');
  if (signed !== digest) return mismatch(signed, digest);
  return rule === undefined ? OK : checkReference(critical['identity'], rule);
}

// checkReference applies the signedIdentity rule to `critical.identity.docker-reference` (signer-written).
function checkReference(identity: unknown, rule: ReferenceRule): PayloadCheck {
  const reference = isRecord(identity) ? identity['docker-reference'] : undefined;
  if (typeof reference === 'string' && matchesSignedIdentity(rule.signedIdentity, rule.ref, reference))
    return OK;
  const named =
    typeof reference === 'string' ? `identity ${quote(reference)}` : 'no critical.identity.docker-reference';
  const why = `signed for ${named}, which signedIdentity ${describeRule(rule)} does not accept`;
  return { ok: false, kind: 'reference', reason: why };
}

/**
 * Checks the in-toto statement of a cosign v3 signature bundle (attacker-controlled, already
 * signature-verified): a known `_type`, predicateType exactly cosign's signing predicate (anything
 * else is an attestation), and a subject whose sha256 is the image digest.
 */
export function checkSignStatement(payload: Buffer, digest: string): PayloadCheck {
  const json = parseJson(payload);
  if (!isRecord(json)) return invalid('DSSE payload is not a JSON object');
  if (typeof json['_type'] !== 'string' || !IN_TOTO_STATEMENT_TYPES.includes(json['_type'])) {
    return invalid(`DSSE payload is not an in-toto statement (_type ${quote(json['_type'])})`);
  }
  const predicateType = json['predicateType'];
  if (predicateType !== COSIGN_SIGN_PREDICATE_TYPE) {
    return {
      ok: false,
      kind: 'predicate',
      reason: `an attestation (predicateType ${quote(predicateType)}), not a cosign signature`,
    };
  }
  const subjects = Array.isArray(json['subject']) ? (json['subject'] as unknown[]) : [];
  const hexes = subjects.map(subjectSha256).filter((h): h is string => h !== undefined);
  if (hexes.length === 0) return invalid('in-toto statement has no subject with a sha256 digest');
  const wanted = digest.slice('sha256:'.length);
  if (hexes.some((hex) => hex.toLowerCase() === wanted)) return OK;
  return mismatch(`sha256:${hexes[0] ?? ''}`, digest);
}

// subjectSha256 reads `subject[i].digest.sha256`, ignoring malformed entries.
function subjectSha256(subject: unknown): string | undefined {
  const d = isRecord(subject) ? subject['digest'] : undefined;
  const hex = isRecord(d) ? d['sha256'] : undefined;
  return typeof hex === 'string' ? hex : undefined;
}

// mismatch words the most common refusal: a real signature copied from, or meant for, another image.
function mismatch(signed: string, digest: string): PayloadCheck {
  return { ok: false, kind: 'digest', reason: `signature is for ${signed} not ${digest}` };
}

// invalid reports a payload we cannot make sense of.
function invalid(reason: string): PayloadCheck {
  return { ok: false, kind: 'payload', reason };
}

// parseJson never throws: unparseable input is just "not an object".
function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Shows an attacker-controlled value in a message: JSON-escaped (no control characters) and cut short. */
export function quote(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
