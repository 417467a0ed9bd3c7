import { isRecord } from '../../guards';
import { IN_TOTO_STATEMENT_TYPES } from './media-types';
import { quote } from './payload';

/** An in-toto statement read from a verified DSSE payload. */
export interface Statement {
  readonly predicateType: string;
  readonly predicate: unknown;
  /** Lower-case sha256 hex digests of the subjects. */
  readonly subjectSha256: readonly string[];
}

/**
 * Reads an in-toto statement (attacker-controlled bytes, signature already verified) and checks that one
 * of its subjects is `digest`: a statement about another image never counts (CVE-2022-35930 class).
 */
export function readStatement(
  payload: Buffer,
  digest: string,
): { ok: true; statement: Statement } | { ok: false; kind: 'digest' | 'payload'; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, kind: 'payload', reason: 'DSSE payload is not JSON' };
  }
  if (!isRecord(json)) return { ok: false, kind: 'payload', reason: 'DSSE payload is not a JSON object' };
  if (typeof json['_type'] !== 'string' || !IN_TOTO_STATEMENT_TYPES.includes(json['_type'])) {
    return { ok: false, kind: 'payload', reason: `not an in-toto statement (_type ${quote(json['_type'])})` };
  }
  const predicateType = json['predicateType'];
  if (typeof predicateType !== 'string') {
    return { ok: false, kind: 'payload', reason: 'in-toto statement has no predicateType' };
  }
  const subjects = Array.isArray(json['subject']) ? (json['subject'] as unknown[]) : [];
  const subjectSha256 = subjects.flatMap((s) => {
    const d = isRecord(s) ? s['digest'] : undefined;
    const hex = isRecord(d) ? d['sha256'] : undefined;
    return typeof hex === 'string' ? [hex.toLowerCase()] : [];
  });
  if (subjectSha256.length === 0) {
    return { ok: false, kind: 'payload', reason: 'in-toto statement has no subject with a sha256 digest' };
  }
  const wanted = digest.slice('sha256:'.length);
  if (!subjectSha256.includes(wanted)) {
    const reason = `statement is about sha256:${subjectSha256[0] ?? ''}, not ${digest}`;
    return { ok: false, kind: 'digest', reason };
  }
  return { ok: true, statement: { predicateType, predicate: json['predicate'], subjectSha256 } };
}
