import type { CompiledNotationAuthority } from '../../policy/compile/compiled.types';
import type { Descriptor } from '../../registry/registry.types';
import type { VerifyErrorCode } from '../errors';
import { algorithmForKey, describeKey, verifySignature } from './algorithm';
import { CertificateFormatError, parseCertificate, type ParsedCertificate } from './certificate';
import { describeChainProblem } from './chain';
import { parseCoseEnvelope } from './cose';
import type { NotationCheck, ParsedEnvelope } from './envelope.types';
import { EnvelopeFormatError } from './headers';
import { parseJwsEnvelope } from './jws';
import { actionFor } from './levels';
import { COSE_MEDIA_TYPE, JWS_MEDIA_TYPE } from './media-types';
import type { EnvelopeOutcome, RevocationChecker } from './outcome.types';
import { describeTargetMismatch, parseNotaryPayload } from './payload';
import { describeAuthenticTimestampProblem } from './signing-time';
import { describeAuthenticityProblem } from './trust';

/** What checking one envelope needs besides the envelope itself. */
export interface EnvelopeCheckInput {
  readonly envelope: Buffer;
  readonly mediaType: string;
  /** The image's manifest descriptor; the payload's targetArtifact must equal it. */
  readonly target: Descriptor;
  readonly authority: CompiledNotationAuthority;
  readonly now: Date;
  /** Absolute deadline (epoch ms) for revocation look-ups. */
  readonly deadline: number;
  /** The admission request's signal: revocation look-ups stop when it aborts. */
  readonly signal?: AbortSignal;
  readonly revocation: RevocationChecker;
  /** Names the signature in messages, e.g. `signature sha256:ab12…`. */
  readonly where: string;
}

interface Failure {
  readonly check: NotationCheck;
  readonly code: VerifyErrorCode;
  readonly reason: string;
}

/**
 * Verifies one Notation envelope the way Notation's trust policy does: integrity (format, headers, chain
 * structure, algorithm, signature, payload binding) always; then authenticity (trust store and trusted
 * identities), authentic timestamp, expiry and revocation, each enforced or only logged by the authority's
 * verification level. Never throws for bad input: every problem is an outcome.
 */
export async function checkEnvelope(input: EnvelopeCheckInput): Promise<EnvelopeOutcome> {
  const { where } = input;
  const integrity = checkIntegrity(input);
  if ('reason' in integrity) return { ok: false, where, ...integrity };
  const { envelope, chain } = integrity;
  const { authority, now } = input;
  const failures: Failure[] = [];
  const authenticity = describeAuthenticityProblem(chain, envelope.attributes.signingScheme, authority);
  if (authenticity) failures.push({ check: 'authenticity', ...authenticity });
  const timestamp = await describeAuthenticTimestampProblem(envelope, chain, authority, now);
  if (timestamp) failures.push({ check: 'authenticTimestamp', ...timestamp });
  const expiry = envelope.attributes.expiry;
  if (expiry !== undefined && now.getTime() > expiry.getTime())
    failures.push({
      check: 'expiry',
      code: 'VERIFY_SIGNATURE_EXPIRED',
      reason: `the signature expired at ${expiry.toISOString()}`,
    });
  const warnings: string[] = [];
  if (!failures.some((f) => actionFor(authority.verificationLevel, f.check) === 'enforce')) {
    const revocation = await describeRevocationProblem(input, chain, warnings);
    if (revocation) failures.push({ check: 'revocation', ...revocation });
  }
  for (const f of failures) {
    if (actionFor(authority.verificationLevel, f.check) === 'enforce') return { ok: false, where, ...f };
    warnings.push(
      `${where}: ${f.check} check failed but verificationLevel ${authority.verificationLevel} only logs it: ${f.reason}`,
    );
  }
  const leaf = chain[0]?.subjectText ?? '';
  const summary = `${envelope.format.toUpperCase()} ${envelope.attributes.alg} signature ${where.replace(/^signature /, '')} by "${leaf}"`;
  return { ok: true, where, summary, warnings, signer: { kind: 'certificate', subject: leaf } };
}

// checkIntegrity parses and verifies the envelope, its chain structure and its binding to the image.
function checkIntegrity(
  input: EnvelopeCheckInput,
):
  | { envelope: ParsedEnvelope; chain: ParsedCertificate[] }
  | (Omit<Failure, 'check'> & { check: 'format' | 'integrity' }) {
  let envelope: ParsedEnvelope;
  let chain: ParsedCertificate[];
  try {
    envelope = parseEnvelope(input.envelope, input.mediaType);
    chain = envelope.certificates.map((der, i) => parseCertificate(der, `certificate ${i + 1} of the chain`));
  } catch (error) {
    if (!(error instanceof EnvelopeFormatError || error instanceof CertificateFormatError)) throw error;
    return {
      check: 'format',
      code: 'VERIFY_ENVELOPE_INVALID',
      reason: `malformed envelope: ${error.message}`,
    };
  }
  const chainProblem = describeChainProblem(chain, 'codeSigning', true);
  if (chainProblem) return { check: 'integrity', code: 'VERIFY_CERT_CHAIN_INVALID', reason: chainProblem };
  const leaf = chain[0] as ParsedCertificate;
  const key = leaf.x509.publicKey;
  const expected = algorithmForKey(key);
  if (expected !== envelope.attributes.alg) {
    const reason = `the envelope says ${envelope.attributes.alg}, but the signing key is ${describeKey(key)}${expected ? ` (${expected})` : ', which Notation does not support'}`;
    return { check: 'integrity', code: 'VERIFY_SIGNATURE_INVALID', reason };
  }
  if (!verifySignature(envelope.attributes.alg, key, envelope.signedBytes, envelope.signature))
    return {
      check: 'integrity',
      code: 'VERIFY_SIGNATURE_INVALID',
      reason: 'the signature does not verify with the signing certificate (tampered envelope?)',
    };
  let mismatch: string | undefined;
  try {
    if (envelope.payload === undefined) throw new EnvelopeFormatError('the payload is not base64url');
    mismatch = describeTargetMismatch(parseNotaryPayload(envelope.payload), input.target);
  } catch (error) {
    if (!(error instanceof EnvelopeFormatError)) throw error;
    return { check: 'integrity', code: 'VERIFY_PAYLOAD_INVALID', reason: `signed payload: ${error.message}` };
  }
  if (mismatch) return { check: 'integrity', code: 'VERIFY_DIGEST_MISMATCH', reason: mismatch };
  return { envelope, chain };
}

// parseEnvelope picks the parser by the layer's media type.
function parseEnvelope(bytes: Buffer, mediaType: string): ParsedEnvelope {
  if (mediaType === JWS_MEDIA_TYPE) return parseJwsEnvelope(bytes);
  if (mediaType === COSE_MEDIA_TYPE) return parseCoseEnvelope(bytes);
  throw new EnvelopeFormatError(
    `envelope media type "${mediaType.slice(0, 80)}" is neither ${JWS_MEDIA_TYPE} nor ${COSE_MEDIA_TYPE}`,
  );
}

// describeRevocationProblem asks the checker; unreachable CRLs fail or warn as the authority says.
async function describeRevocationProblem(
  input: EnvelopeCheckInput,
  chain: readonly ParsedCertificate[],
  warnings: string[],
): Promise<Omit<Failure, 'check'> | undefined> {
  const result = await input.revocation.check(chain, input.now, input.deadline, input.signal);
  if (result.status === 'good') return undefined;
  if (result.status === 'revoked') return { code: 'VERIFY_CERT_REVOKED', reason: result.reason };
  if (input.authority.revocationUnreachable === 'deny')
    return { code: 'VERIFY_REVOCATION_UNKNOWN', reason: `${result.reason} (revocation.onUnreachable: deny)` };
  warnings.push(
    `${input.where}: revocation status unknown, admitted because revocation.onUnreachable is warn: ${result.reason}`,
  );
  return undefined;
}
