import { constants, verify, type KeyObject } from 'node:crypto';
import type { CompiledOciVaultAuthority } from '../../policy/compile/compiled.types';
import { quoteRegistryText } from '../../registry/errors';
import {
  checkOciBinding,
  isOciSigningAlgorithm,
  OCI_SIGNING_ALGORITHMS,
  parseMessageBytes,
  parseOciMessage,
  parseSignatureBytes,
  type OciSigningAlgorithm,
} from './message';
import type { OciRejectionKind, OciSignatureOutcome } from './outcome.types';

/** What examining a signature needs: the binding expected, and public keys by (key, version). */
export interface OciExamination {
  readonly authority: CompiledOciVaultAuthority;
  readonly digest: string;
  readonly repositoryName: string;
  readonly region: string;
  readonly publicKeyFor: (keyId: string, keyVersionId: string) => Promise<KeyObject>;
}

// field reads a string field of an attacker-controlled summary.
function field(item: Record<string, unknown>, name: string): string | undefined {
  const v = item[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Examines one ContainerImageSignatureSummary (attacker-controlled): the key must be one of the policy's, the
 * RSA-PSS signature (salt length = hash length, MGF1 with the same hash) must verify over the exact decoded
 * message bytes, and only then is the message parsed and bound to the image, repository, region and key.
 * API failures while fetching a public key propagate as RegistryErrors.
 */
export async function examineOciSignature(item: unknown, x: OciExamination): Promise<OciSignatureOutcome> {
  const summary = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
  const id = field(summary, 'id');
  const where = id !== undefined ? `signature ${quoteRegistryText(id)}` : 'a signature without id';
  const refuse = (kind: OciRejectionKind, reason: string): OciSignatureOutcome => ({
    ok: false,
    where,
    kind,
    reason,
  });
  const keyId = field(summary, 'kmsKeyId');
  const keyVersionId = field(summary, 'kmsKeyVersionId');
  const algorithm = summary.signingAlgorithm;
  if (keyId === undefined || keyVersionId === undefined)
    return refuse('payload', 'the signature record has no kmsKeyId / kmsKeyVersionId');
  if (!isOciSigningAlgorithm(algorithm))
    return refuse(
      'payload',
      `unknown signing algorithm ${quoteRegistryText(String(algorithm))} (OCIR uses ${Object.keys(OCI_SIGNING_ALGORITHMS).join(', ')})`,
    );
  const key = x.authority.keys.find((k) => k.keyId === keyId);
  if (!key)
    return refuse('untrusted-key', `signed by key ${quoteRegistryText(keyId)}, not one of the policy's`);
  const message = parseMessageBytes(summary.message);
  if (!message) return refuse('payload', 'the message is not base64 of at most 4096 bytes');
  const signature = parseSignatureBytes(summary.signature);
  if (!signature) return refuse('payload', 'the signature is not valid base64 of an RSA signature');
  const publicKey = key.publicKey?.keyObject ?? (await x.publicKeyFor(keyId, keyVersionId));
  if (!verifyPss(publicKey, algorithm, message, signature))
    return refuse(
      'signature',
      `the signature does not verify with key ${keyId} (tampered message or signature)`,
    );
  const parsed = parseOciMessage(message);
  if (typeof parsed === 'string') return refuse('payload', parsed);
  const problem = checkOciBinding(parsed, {
    digest: x.digest,
    repositoryName: x.repositoryName,
    region: x.region,
    kmsKeyId: keyId,
    kmsKeyVersionId: keyVersionId,
    signingAlgorithm: algorithm,
  });
  if (problem) return refuse(problem.field === 'digest' ? 'digest' : 'binding', problem.reason);
  return { ok: true, where, keyId, keyVersionId, algorithm };
}

/** RSASSA-PSS verification as OCI KMS signs: MGF1 with the message hash, salt length = hash length. */
export function verifyPss(
  key: KeyObject,
  algorithm: OciSigningAlgorithm,
  message: Buffer,
  signature: Buffer,
): boolean {
  try {
    return verify(
      OCI_SIGNING_ALGORITHMS[algorithm],
      message,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      signature,
    );
  } catch {
    return false;
  }
}
