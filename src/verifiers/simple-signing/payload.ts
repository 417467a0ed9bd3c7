// The signed JSON of an atomic container signature (containers-signature(5)), parsed as strictly as
// containers/image does: exact field sets in `critical`, known types only, a well-formed digest.
import { isRecord } from '../../guards';
import { VerifyError } from '../errors';

/** The only `critical.type` simple signing defines. */
export const ATOMIC_SIGNATURE_TYPE = 'atomic container signature';

const DIGEST = /^(?:sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;

/** What a verified payload claims; trusted only after its signature verified with a policy key. */
export interface SimpleSigningPayload {
  readonly dockerManifestDigest: string;
  readonly dockerReference: string;
  /** `optional.creator`, e.g. `atomic 5.23.1` (skopeo's containers/image version). */
  readonly creator?: string;
  /** `optional.timestamp`, seconds since the epoch; informational only. */
  readonly timestamp?: number;
}

/**
 * Parses a signed payload. Throws VerifyError VERIFY_PAYLOAD_INVALID when it is not UTF-8 JSON of exactly
 * `{critical: {type, image: {docker-manifest-digest}, identity: {docker-reference}}, optional: {…}}`.
 */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    json = JSON.parse(text);
  } catch {
    throw invalid('the signed payload is not UTF-8 JSON');
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined)
    throw invalid(`the payload repeats the key ${JSON.stringify(duplicate.slice(0, 40))}`);
  const top = exactObject(json, ['critical', 'optional'], 'the payload');
  const critical = exactObject(top.critical, ['type', 'image', 'identity'], 'critical');
  if (critical.type !== ATOMIC_SIGNATURE_TYPE)
    throw invalid(`critical.type is ${JSON.stringify(critical.type)}, not "${ATOMIC_SIGNATURE_TYPE}"`);
  const image = exactObject(critical.image, ['docker-manifest-digest'], 'critical.image');
  const digest = image['docker-manifest-digest'];
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw invalid('critical.image.docker-manifest-digest is not a digest');
  const identity = exactObject(critical.identity, ['docker-reference'], 'critical.identity');
  const reference = identity['docker-reference'];
  if (typeof reference !== 'string') throw invalid('critical.identity.docker-reference is not a string');
  if (!isRecord(top.optional)) throw invalid('optional is not an object');
  const { creator, timestamp } = top.optional;
  if (creator !== undefined && typeof creator !== 'string') throw invalid('optional.creator is not a string');
  if (timestamp !== undefined && !Number.isSafeInteger(timestamp))
    throw invalid('optional.timestamp is not an integer');
  return {
    dockerManifestDigest: digest,
    dockerReference: reference,
    ...(creator === undefined ? {} : { creator }),
    ...(typeof timestamp === 'number' ? { timestamp } : {}),
  };
}

// exactObject demands an object with exactly `fields`: an unknown critical field could carry a meaning we ignore.
function exactObject(value: unknown, fields: readonly string[], what: string): Record<string, unknown> {
  if (!isRecord(value)) throw invalid(`${what} is not an object`);
  const keys = Object.keys(value);
  const missing = fields.filter((f) => !keys.includes(f));
  const extra = keys.filter((k) => !fields.includes(k));
  if (missing.length > 0) throw invalid(`${what} lacks ${missing.join(', ')}`);
  if (extra.length > 0)
    throw invalid(
      `${what} has unknown field(s) ${extra
        .slice(0, 3)
        .map((k) => JSON.stringify(k.slice(0, 40)))
        .join(', ')}`,
    );
  return value;
}

// findDuplicateKey scans JSON that already parsed for an object key given twice: JSON.parse keeps the last one,
// containers/image refuses the document, and two readers must never see two different payloads.
function findDuplicateKey(text: string): string | undefined {
  const objects: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      objects.push(c === '{' ? new Set() : null);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      objects.pop();
      expectKey = false;
    } else if (c === ',') {
      expectKey = objects[objects.length - 1] !== null;
    }
  }
  return undefined;
}

// invalid builds the one error a malformed payload throws.
function invalid(reason: string): VerifyError {
  return new VerifyError('VERIFY_PAYLOAD_INVALID', reason);
}
