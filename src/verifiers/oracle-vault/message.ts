import { quoteRegistryText } from '../../registry/errors';
import { MAX_SIGNATURE_BYTES } from '../kit/signature';
import { MAX_OCI_MESSAGE_BYTES } from './limits';

/** The RSA-PSS algorithms OCIR image signatures use, with their hash (salt length = hash length). */
export const OCI_SIGNING_ALGORITHMS = {
  SHA_224_RSA_PKCS_PSS: 'sha224',
  SHA_256_RSA_PKCS_PSS: 'sha256',
  SHA_384_RSA_PKCS_PSS: 'sha384',
  SHA_512_RSA_PKCS_PSS: 'sha512',
} as const;
export type OciSigningAlgorithm = keyof typeof OCI_SIGNING_ALGORITHMS;

/**
 * The signed message of `oci artifacts container image-signature sign-upload`: compact JSON with exactly these
 * keys, `metadata` being itself a JSON string (or empty).
 */
export interface OciSignedMessage {
  readonly description: string;
  readonly imageDigest: string;
  readonly kmsKeyId: string;
  readonly kmsKeyVersionId: string;
  readonly metadata: string;
  readonly region: string;
  readonly repositoryName: string;
  readonly signingAlgorithm: string;
}

const MESSAGE_FIELDS = [
  'description',
  'imageDigest',
  'kmsKeyId',
  'kmsKeyVersionId',
  'metadata',
  'region',
  'repositoryName',
  'signingAlgorithm',
] as const;

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** What a signature must bind to: the image as it will run, and the authority's region. */
export interface OciBindingExpectation {
  readonly digest: string;
  readonly repositoryName: string;
  readonly region: string;
  readonly kmsKeyId: string;
  readonly kmsKeyVersionId: string;
  readonly signingAlgorithm: string;
}

/** Which binding failed; `digest` is reported as VERIFY_DIGEST_MISMATCH, the others as VERIFY_BINDING_MISMATCH. */
export interface OciBindingProblem {
  readonly field: 'digest' | 'repositoryName' | 'region' | 'key';
  readonly reason: string;
}

/** Narrows a signing algorithm name (attacker-controlled) to the four PSS algorithms. */
export function isOciSigningAlgorithm(name: unknown): name is OciSigningAlgorithm {
  return typeof name === 'string' && Object.hasOwn(OCI_SIGNING_ALGORITHMS, name);
}

/**
 * Decodes strict base64 (attacker-controlled) no longer than `maxBytes` decoded; returns undefined when the
 * text is not canonical base64 or is too long. Buffer.from would silently skip bad characters.
 */
export function parseBase64(text: unknown, maxBytes: number): Buffer | undefined {
  if (typeof text !== 'string' || text.length === 0) return undefined;
  if (text.length > Math.ceil(maxBytes / 3) * 4 || !STRICT_BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** The message bytes exactly as signed (the base64 of the `message` field); undefined when malformed. */
export function parseMessageBytes(message: unknown): Buffer | undefined {
  return parseBase64(message, MAX_OCI_MESSAGE_BYTES);
}

/** The raw RSA-PSS signature (the base64 of the `signature` field); undefined when malformed. */
export function parseSignatureBytes(signature: unknown): Buffer | undefined {
  return parseBase64(signature, MAX_SIGNATURE_BYTES);
}

/**
 * Parses the verified message bytes as the CLI's JSON, without ever re-serialising them. Returns a reason
 * string when they are not UTF-8 JSON with the eight string fields.
 */
export function parseOciMessage(bytes: Buffer): OciSignedMessage | string {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return 'the signed message is not UTF-8 JSON';
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    return 'the signed message is not a JSON object';
  const record = json as Record<string, unknown>;
  const bad = MESSAGE_FIELDS.filter((f) => typeof record[f] !== 'string');
  if (bad.length > 0) return `the signed message lacks string field(s) ${bad.join(', ')}`;
  return Object.fromEntries(MESSAGE_FIELDS.map((f) => [f, record[f]])) as unknown as OciSignedMessage;
}

/**
 * Checks what oci-cli's own `get-verify` does not: that the signed message names this digest, repository and
 * region, and the key, key version and algorithm the signature was verified with.
 */
export function checkOciBinding(
  message: OciSignedMessage,
  expected: OciBindingExpectation,
): OciBindingProblem | undefined {
  if (message.imageDigest !== expected.digest)
    return {
      field: 'digest',
      reason: `signature is for ${quoteRegistryText(message.imageDigest).slice(1, -1)} not ${expected.digest}`,
    };
  if (message.repositoryName !== expected.repositoryName)
    return {
      field: 'repositoryName',
      reason: `signature is for repository ${quoteRegistryText(message.repositoryName)}, not "${expected.repositoryName}"`,
    };
  if (message.region !== expected.region)
    return {
      field: 'region',
      reason: `signature was made for region ${quoteRegistryText(message.region)}, not "${expected.region}"`,
    };
  if (
    message.kmsKeyId !== expected.kmsKeyId ||
    message.kmsKeyVersionId !== expected.kmsKeyVersionId ||
    message.signingAlgorithm !== expected.signingAlgorithm
  )
    return {
      field: 'key',
      reason: 'the signed message names another key, key version or algorithm than the signature record',
    };
  return undefined;
}
