import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CompiledCertificate } from '../../policy/compile/compiled.types';
import { parseAnchor } from './anchors';
import { CertificateFormatError, parseCertificate, type ParsedCertificate } from './certificate';
import { buildPath, describeChainProblem, describeValidityProblem } from './chain';
import { MAX_CERT_CHAIN_LENGTH } from './limits';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const HASHES: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The time range an authentic timestamp vouches for (genTime ± accuracy). */
export interface AuthenticTime {
  readonly earliest: Date;
  readonly latest: Date;
}

/**
 * Verifies an RFC 3161 timestamp token over `signature` (the envelope's signature bytes): CMS SignedData
 * holding a TSTInfo whose message imprint is the hash of `signature`, signed by a certificate that chains
 * to one of `tsaAnchors`, valid at the timestamp and allowed to timestamp. Returns the time range, or a
 * string saying what is wrong. `token` is attacker-controlled.
 */
export async function verifyTimestampToken(
  token: Buffer,
  signature: Buffer,
  tsaAnchors: readonly CompiledCertificate[],
  now: Date,
): Promise<AuthenticTime | string> {
  let signed: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    ({ signed, info } = parseToken(token));
  } catch (error) {
    return `the timestamp token is malformed: ${error instanceof TokenError ? error.message : 'not a CMS SignedData'}`;
  }
  const hash = HASHES[info.messageImprint.hashAlgorithm.algorithmId];
  if (hash === undefined)
    return `the timestamp uses an unsupported hash ${info.messageImprint.hashAlgorithm.algorithmId}`;
  const imprint = Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView);
  if (!imprint.equals(createHash(hash).update(signature).digest()))
    return 'the timestamp is not over this signature (message imprint mismatch)';
  const accuracyMs = toAccuracyMs(info.accuracy);
  const earliest = new Date(info.genTime.getTime() - accuracyMs);
  const latest = new Date(info.genTime.getTime() + accuracyMs);
  if (earliest.getTime() > now.getTime())
    return `the timestamp ${info.genTime.toISOString()} is in the future`;
  let signer: ParsedCertificate;
  try {
    const result = await signed.verify({
      signer: 0,
      // pkijs checks the TSTInfo message imprint against `data` itself too.
      data: new Uint8Array(signature).buffer,
      checkChain: false,
      extendedMode: true,
    });
    if (!result.signatureVerified || !result.signerCertificate)
      return 'the timestamp signature does not verify';
    signer = parseCertificate(
      Buffer.from(result.signerCertificate.toSchema().toBER()),
      'the timestamp signer',
    );
  } catch (error) {
    const why = error instanceof CertificateFormatError ? error.message : 'it does not verify';
    return `the timestamp signature is invalid: ${why}`;
  }
  const pool = (signed.certificates ?? []).slice(0, MAX_CERT_CHAIN_LENGTH).flatMap((c) => {
    if (!(c instanceof pkijs.Certificate)) return [];
    try {
      return [parseCertificate(Buffer.from(c.toSchema().toBER()), 'a timestamp certificate')];
    } catch {
      return [];
    }
  });
  const path = buildPath(signer, pool, tsaAnchors.map(parseAnchor));
  if (path === undefined)
    return `the timestamp signer "${signer.subjectText}" does not chain to a certificate of trustStore.tsa`;
  const problem =
    describeChainProblem(path, 'timeStamping', false) ?? describeValidityProblem(path, info.genTime);
  if (problem) return `the timestamping chain is invalid: ${problem}`;
  return { earliest, latest };
}

class TokenError extends Error {}

// parseToken unwraps ContentInfo → SignedData → TSTInfo.
function parseToken(token: Buffer): { signed: pkijs.SignedData; info: pkijs.TSTInfo } {
  const asn = asn1js.fromBER(new Uint8Array(token));
  if (asn.offset === -1) throw new TokenError('not DER');
  const content = new pkijs.ContentInfo({ schema: asn.result });
  if (content.contentType !== OID_SIGNED_DATA) throw new TokenError('not a CMS SignedData');
  const signed = new pkijs.SignedData({ schema: content.content });
  if (signed.encapContentInfo.eContentType !== OID_TST_INFO)
    throw new TokenError('the content is not a TSTInfo');
  if (signed.signerInfos.length !== 1) throw new TokenError('it must have exactly one signer');
  const eContent = signed.encapContentInfo.eContent;
  if (!eContent) throw new TokenError('the TSTInfo is missing');
  const inner = asn1js.fromBER(eContent.getValue());
  if (inner.offset === -1) throw new TokenError('the TSTInfo is not DER');
  return { signed, info: new pkijs.TSTInfo({ schema: inner.result }) };
}

// toAccuracyMs converts the optional TSTInfo accuracy to milliseconds.
function toAccuracyMs(a: pkijs.Accuracy | undefined): number {
  if (!a) return 0;
  return (a.seconds ?? 0) * 1000 + (a.millis ?? 0) + Math.ceil((a.micros ?? 0) / 1000);
}
