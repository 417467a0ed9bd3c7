import { createHash } from 'node:crypto';
import { assertBundle, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { pem } from '@sigstore/core';
import { describeUnknown } from '../../errors';
import { MAX_SIGNATURE_ANNOTATION_CHARS, MAX_SIGSTORE_ANNOTATION_CHARS } from './limits';
import { CERTIFICATE_ANNOTATION, REKOR_BUNDLE_ANNOTATION, RFC3161_TIMESTAMP_ANNOTATION } from './media-types';
import { isRecord } from '../../guards';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HEX = /^[0-9a-f]+$/i;
const LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';

/** What a legacy layer signs: a simple-signing payload (`.sig`) or a DSSE envelope (`.att`). */
export type LegacyContent =
  | { readonly kind: 'message'; readonly payload: Buffer; readonly signatureB64: string }
  | { readonly kind: 'dsse'; readonly envelope: unknown };

/**
 * Rebuilds a sigstore bundle (v0.1 shape) from one legacy `.sig` or `.att` layer, so that @sigstore/verify can
 * check it: the signature over the exact payload bytes, the Fulcio certificate, the Rekor SET
 * (`dev.sigstore.cosign/bundle`) and the RFC 3161 timestamp. Every annotation is attacker-controlled;
 * a malformed one is a refusal (a string saying why), never ignored. The chain annotation is not
 * used: chains are built from the TrustedRoot's CAs only.
 */
export function toLegacyBundle(
  content: LegacyContent,
  annotations: Readonly<Record<string, string>>,
): Bundle | string {
  const signed = content.kind === 'message' ? messageSignature(content) : dsseEnvelope(content.envelope);
  if (typeof signed === 'string') return signed;
  const certificate = annotations[CERTIFICATE_ANNOTATION];
  const material = certificate === undefined ? { publicKey: { hint: '' } } : certificateMaterial(certificate);
  if (typeof material === 'string') return material;
  const tlog = annotations[REKOR_BUNDLE_ANNOTATION];
  const entries = tlog === undefined ? [] : rekorEntry(tlog);
  if (typeof entries === 'string') return entries;
  const stamp = annotations[RFC3161_TIMESTAMP_ANNOTATION];
  const timestamps = stamp === undefined ? [] : rfc3161(stamp);
  if (typeof timestamps === 'string') return timestamps;
  const json = {
    mediaType: LEGACY_MEDIA_TYPE,
    verificationMaterial: {
      ...material,
      tlogEntries: entries,
      timestampVerificationData: { rfc3161Timestamps: timestamps },
    },
    ...signed,
  };
  try {
    const bundle = bundleFromJSON(json);
    assertBundle(bundle);
    return bundle;
  } catch (e) {
    return `legacy signature annotations do not form a valid sigstore bundle (${describeUnknown(e)})`;
  }
}

// messageSignature is the bundle content of a `.sig` layer: the signature over the exact payload bytes.
function messageSignature(content: Extract<LegacyContent, { kind: 'message' }>): object | string {
  const signature = strictBase64(content.signatureB64, MAX_SIGNATURE_ANNOTATION_CHARS);
  if (signature === undefined) return 'signature annotation is not base64';
  const digest = createHash('sha256').update(content.payload).digest('base64');
  return {
    messageSignature: {
      messageDigest: { algorithm: 'SHA2_256', digest },
      signature: signature.toString('base64'),
    },
  };
}

// dsseEnvelope is the bundle content of an `.att` layer: cosign stores the envelope JSON as the blob,
// in the same field names as the bundle's dsseEnvelope (payload and sig base64); the bundle parser checks them.
function dsseEnvelope(envelope: unknown): object | string {
  if (!isRecord(envelope)) return 'attestation layer is not a DSSE envelope (JSON object)';
  const { payload, payloadType, signatures } = envelope;
  if (typeof payload !== 'string' || typeof payloadType !== 'string' || !Array.isArray(signatures)) {
    return 'attestation layer is not a DSSE envelope (payload, payloadType, signatures)';
  }
  if (signatures.length !== 1) {
    return `DSSE envelope has ${signatures.length} signatures; cosign attestations have exactly one`;
  }
  return { dsseEnvelope: { payload, payloadType, signatures } };
}

// certificateMaterial decodes the PEM leaf certificate annotation.
function certificateMaterial(
  text: string,
): { x509CertificateChain: { certificates: { rawBytes: string }[] } } | string {
  if (text.length > MAX_SIGSTORE_ANNOTATION_CHARS) return `${CERTIFICATE_ANNOTATION} is over the size limit`;
  let der: Buffer;
  try {
    der = pem.toDER(text);
  } catch {
    return `${CERTIFICATE_ANNOTATION} is not a PEM certificate`;
  }
  if (der.length === 0) return `${CERTIFICATE_ANNOTATION} is not a PEM certificate`;
  return { x509CertificateChain: { certificates: [{ rawBytes: der.toString('base64') }] } };
}

// rekorEntry turns cosign's `{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}`
// into a transparency-log entry with an inclusion promise; kind and version come from the body itself.
function rekorEntry(text: string): unknown[] | string {
  const bad = `${REKOR_BUNDLE_ANNOTATION} is not a Rekor bundle`;
  if (text.length > MAX_SIGSTORE_ANNOTATION_CHARS) return `${REKOR_BUNDLE_ANNOTATION} is over the size limit`;
  const json = parse(text);
  const p = isRecord(json) ? json['Payload'] : undefined;
  const set = isRecord(json) ? json['SignedEntryTimestamp'] : undefined;
  if (
    !isRecord(p) ||
    typeof set !== 'string' ||
    strictBase64(set, MAX_SIGSTORE_ANNOTATION_CHARS) === undefined
  )
    return bad;
  const { body, integratedTime, logIndex, logID } = p;
  if (typeof body !== 'string' || typeof logID !== 'string' || !HEX.test(logID)) return bad;
  if (!Number.isSafeInteger(integratedTime) || !Number.isSafeInteger(logIndex)) return bad;
  const bodyBytes = strictBase64(body, MAX_SIGSTORE_ANNOTATION_CHARS);
  const entry = bodyBytes === undefined ? undefined : parse(bodyBytes.toString('utf8'));
  if (!isRecord(entry) || typeof entry['kind'] !== 'string' || typeof entry['apiVersion'] !== 'string')
    return bad;
  return [
    {
      logIndex: String(logIndex),
      logId: { keyId: Buffer.from(logID, 'hex').toString('base64') },
      kindVersion: { kind: entry['kind'], version: entry['apiVersion'] },
      integratedTime: String(integratedTime),
      inclusionPromise: { signedEntryTimestamp: set },
      canonicalizedBody: body,
    },
  ];
}

// rfc3161 reads cosign's `{SignedRFC3161Timestamp: base64}` annotation.
function rfc3161(text: string): { signedTimestamp: string }[] | string {
  const json = text.length > MAX_SIGSTORE_ANNOTATION_CHARS ? undefined : parse(text);
  const stamp = isRecord(json) ? json['SignedRFC3161Timestamp'] : undefined;
  if (typeof stamp !== 'string' || strictBase64(stamp, MAX_SIGSTORE_ANNOTATION_CHARS) === undefined) {
    return `${RFC3161_TIMESTAMP_ANNOTATION} is not an RFC 3161 timestamp annotation`;
  }
  return [{ signedTimestamp: stamp }];
}

// strictBase64 decodes standard base64 only: Buffer.from would silently skip junk characters.
export function strictBase64(text: string, maxChars: number): Buffer | undefined {
  const t = text.trim();
  if (t.length === 0 || t.length > maxChars || t.length % 4 !== 0 || !BASE64.test(t)) return undefined;
  return Buffer.from(t, 'base64');
}

// parse never throws.
function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
