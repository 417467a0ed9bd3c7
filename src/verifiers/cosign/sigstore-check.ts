import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import {
  toSignedEntity,
  VerificationError,
  Verifier,
  type SignedEntity,
  type TrustMaterial,
} from '@sigstore/verify';
import type {
  CompiledCosignAuthority,
  CompiledPublicKey,
  CompiledTrustedRoot,
} from '../../policy/compile/compiled.types';
import { describeUnknown } from '../../errors';
import type { SignerIdentity } from '../../policy/decide/decision.types';
import { findSigningKey, toPreAuthEncoding } from '../kit/dsse';
import { allowsCodeSigning, certificateIdentity, describeCertificate, matchIdentity } from './identity';
import { fixedKey, trustMaterialFor } from './trust-material';
import { markVerified, verifiedBundleKey, wasVerified } from './verified-bundles';

/** Why a signature's signer did not satisfy the authority (the content is checked afterwards). */
export type SignerRefusal = 'signature' | 'identity' | 'certificate' | 'tlog' | 'timestamp' | 'payload';

export type SignerCheck =
  | { readonly ok: true; readonly signer: string; readonly identity: SignerIdentity }
  | { readonly ok: false; readonly kind: SignerRefusal; readonly reason: string };

/**
 * Decides whether one bundle (a cosign v3 referrer, or rebuilt from a legacy layer) was signed by the
 * authority's signer. Keys are checked with our own crypto (Ed25519ph included), then, when
 * `tlog.required`, the transparency-log entries with @sigstore/verify. Keyless goes entirely through
 * @sigstore/verify against `root`: the certificate chain at the logged or timestamped time, the SCTs, the
 * tlog entries bound to this signature, the timestamps; then the identity is matched here.
 * `artifact` is the signed payload of a message signature (legacy `.sig`), undefined for DSSE.
 * `timestamped` is what the RFC 3161 timestamps cover when it is not the signature: cosign v2 timestamps a
 * legacy `.att` layer's whole envelope, as stored.
 */
export function checkSigner(
  bundle: Bundle,
  artifact: Buffer | undefined,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  timestamped?: Buffer,
): SignerCheck {
  if (authority.keyless !== undefined) return checkKeyless(bundle, artifact, authority, root, timestamped);
  const signed = signedBytes(bundle, artifact);
  if (signed === undefined) return refuse('payload', 'a message signature without its payload');
  const key = findSigningKey(authority.keys, signed.data, signed.signature);
  if (key === undefined) return refuse('signature', whyNoKey(bundle, authority.keys));
  if (authority.tlog.required) {
    const problem = checkKeyTlog(bundle, artifact, authority, root, key);
    if (problem !== undefined) return problem;
  }
  return { ok: true, signer: `key ${key.id}`, identity: { kind: 'key', key: key.id } };
}

// checkKeyless verifies certificate, SCTs, tlog and timestamps, then matches the identity.
function checkKeyless(
  bundle: Bundle,
  artifact: Buffer | undefined,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  timestamped: Buffer | undefined,
): SignerCheck {
  const keyless = authority.keyless;
  if (keyless === undefined) return refuse('signature', 'not a keyless authority');
  if (bundle.verificationMaterial.content.$case === 'publicKey') {
    return refuse(
      'signature',
      'signed with a key, not a certificate: this authority accepts keyless signatures',
    );
  }
  const parsed = toEntity(bundle, artifact);
  if (typeof parsed === 'string') return refuse('payload', parsed);
  const entity = timestamped === undefined ? parsed : withTimestampedBytes(parsed, timestamped);
  const cacheKey = verifiedBundleKey(bundle, artifact, timestamped, authority);
  if (!wasVerified(root, cacheKey)) {
    const failure = checkTrust(entity, authority, root);
    if (failure !== undefined) return failure;
    markVerified(root, cacheKey);
  }
  if (entity.key.$case !== 'certificate') return refuse('signature', 'no certificate');
  if (!allowsCodeSigning(entity.key.certificate))
    return refuse('certificate', 'certificate refused: its extended key usage does not allow code signing');
  const identity = certificateIdentity(entity.key.certificate);
  const matched = matchIdentity(keyless.identities, identity);
  if (matched === undefined) {
    const wanted = keyless.identities.map((i) => i.text).join('; or ');
    return refuse('identity', `certificate ${describeCertificate(identity)} does not match ${wanted}`);
  }
  return {
    ok: true,
    signer: `certificate ${describeCertificate(identity)}`,
    identity: {
      kind: 'keyless',
      ...(identity.subject === undefined ? {} : { subject: identity.subject }),
      ...(identity.issuer === undefined ? {} : { issuer: identity.issuer }),
    },
  };
}

// checkTrust runs @sigstore/verify: log entries first, then chain, SCTs, tlog and timestamp thresholds.
function checkTrust(
  entity: SignedEntity,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
): SignerCheck | undefined {
  const material = trustMaterialFor(root, authority.tlog.rekorKeys);
  const logFailure = checkLogEntriesFirst(entity, material, root);
  if (logFailure !== undefined) return logFailure;
  const verifier = new Verifier(material, {
    tlogThreshold: authority.tlog.required ? 1 : 0,
    // A root without CT logs (a private deployment) cannot demand SCTs; the public-good one has them.
    ctlogThreshold: material.ctlogs.length > 0 ? 1 : 0,
    // A certificate lives for minutes: its chain is checked at a logged or timestamped time, never "now".
    timestampThreshold: 1,
  });
  return attempt(() => verifier.verify(entity), authority.tlog.required, root);
}

// checkKeyTlog demands a verified tlog entry bound to this signature, for a signature our key verified.
function checkKeyTlog(
  bundle: Bundle,
  artifact: Buffer | undefined,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  key: CompiledPublicKey,
): SignerCheck | undefined {
  const entity = toEntity(bundle, artifact);
  if (typeof entity === 'string') return refuse('payload', entity);
  const keyOnly: SignedEntity = {
    ...entity,
    key: { $case: 'public-key', hint: key.id },
    // A key has no validity window, so times do not matter; a TSA we do not trust must not fail it.
    timestamps: entity.timestamps.filter((t) => t.$case === 'transparency-log'),
    signature: alreadyVerified(entity.signature),
  };
  const material = trustMaterialFor(root, authority.tlog.rekorKeys, fixedKey(key));
  const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 0 });
  return attempt(() => verifier.verify(keyOnly), true, root);
}

// checkLogEntriesFirst verifies the log entries that claim a time (those with a SET), and their bodies'
// binding to this signature, before that time is used: @sigstore/verify checks the certificate at an entry's
// integrated time before the entry itself, so a forged time would be blamed on the certificate.
function checkLogEntriesFirst(
  entity: SignedEntity,
  material: TrustMaterial,
  root: CompiledTrustedRoot,
): SignerCheck | undefined {
  const { key } = entity;
  const timed = entity.tlogEntries.filter((e) => e.inclusionPromise !== undefined);
  if (timed.length === 0 || key.$case !== 'certificate') return undefined;
  const entriesOnly: SignedEntity = {
    ...entity,
    tlogEntries: timed,
    key: { $case: 'public-key', hint: '' },
    timestamps: [],
    signature: alreadyVerified(entity.signature),
  };
  const certificateKey: TrustMaterial['publicKey'] = () => ({
    publicKey: createPublicKey({ key: key.certificate.publicKey, format: 'der', type: 'spki' }),
    validFor: () => true,
  });
  const options = { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 };
  const verifier = new Verifier({ ...material, publicKey: certificateKey }, options);
  return attempt(() => verifier.verify(entriesOnly), false, root);
}

// withTimestampedBytes points the RFC 3161 check at `bytes` (its only use of the signature bytes); the
// signature and log comparisons still use the signature.
function withTimestampedBytes(entity: SignedEntity, bytes: Buffer): SignedEntity {
  const content = entity.signature;
  return {
    ...entity,
    signature: {
      signature: bytes,
      compareSignature: (s) => content.compareSignature(s),
      compareDigest: (d) => content.compareDigest(d),
      compareSignedDigest: (d) => content.compareSignedDigest(d),
      verifySignature: (k) => content.verifySignature(k),
    },
  };
}

// alreadyVerified keeps the entry-to-signature comparisons of @sigstore/verify but reports the signature
// as verified: checkSigner verified it with the same key (our crypto also covers Ed25519ph), or, for
// checkLogEntriesFirst, the full verification that follows verifies it.
function alreadyVerified(content: SignedEntity['signature']): SignedEntity['signature'] {
  return {
    signature: content.signature,
    compareSignature: (s) => content.compareSignature(s),
    compareDigest: (d) => content.compareDigest(d),
    compareSignedDigest: (d) => content.compareSignedDigest(d),
    verifySignature: () => true,
  };
}

// toEntity builds @sigstore/verify's view of the bundle; certificates and timestamps are parsed here.
function toEntity(bundle: Bundle, artifact: Buffer | undefined): SignedEntity | string {
  try {
    return toSignedEntity(bundle, artifact);
  } catch (e) {
    return `the bundle's certificate or timestamp does not parse (${describeUnknown(e)})`;
  }
}

// attempt runs a @sigstore/verify check and words its failure for a user.
function attempt(
  run: () => unknown,
  tlogRequired: boolean,
  root: CompiledTrustedRoot,
): SignerCheck | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    if (!(e instanceof VerificationError))
      return refuse('payload', `cannot be verified (${describeUnknown(e)})`);
    return explain(e, tlogRequired, root);
  }
}

// explain maps @sigstore/verify's error codes to our refusal kinds, with the trust root named.
function explain(e: VerificationError, tlogRequired: boolean, root: CompiledTrustedRoot): SignerCheck {
  const from = `(trusted root: ${root.source})`;
  switch (e.code) {
    case 'TLOG_ERROR':
      return tlogRequired && /expected \d+ tlog entries, got 0/.test(e.message)
        ? refuse('tlog', 'no transparency-log entry, and tlog.required is set')
        : refuse('tlog', `transparency-log entry refused: ${e.message} ${from}`);
    case 'TLOG_BODY_ERROR':
      return refuse('tlog', `the transparency-log entry is for another signature or artifact: ${e.message}`);
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
      return refuse('tlog', `transparency-log entry does not verify: ${e.message} ${from}`);
    case 'TIMESTAMP_ERROR':
      return /expected \d+ timestamps, got 0/.test(e.message)
        ? refuse(
            'timestamp',
            'no trusted time: neither a transparency-log entry nor an RFC 3161 timestamp, so the short-lived certificate cannot be checked',
          )
        : refuse('timestamp', `timestamp refused: ${e.message} ${from}`);
    case 'CERTIFICATE_ERROR':
    case 'PUBLIC_KEY_ERROR':
      return refuse('certificate', `certificate refused: ${e.message} ${from}`);
    case 'SIGNATURE_ERROR':
      return refuse('signature', 'the signature does not verify with its certificate (altered payload?)');
    case 'NOT_IMPLEMENTED_ERROR':
    default:
      return refuse('payload', `cannot be verified: ${e.message}`);
  }
}

// signedBytes returns what the signature covers: the payload, or the DSSE pre-authentication encoding.
function signedBytes(
  bundle: Bundle,
  artifact: Buffer | undefined,
): { data: Buffer; signature: Buffer } | undefined {
  const content = bundle.content;
  if (content.$case === 'dsseEnvelope') {
    const env = content.dsseEnvelope;
    return {
      data: toPreAuthEncoding(env.payloadType, env.payload),
      signature: env.signatures[0]?.sig ?? Buffer.alloc(0),
    };
  }
  return artifact === undefined
    ? undefined
    : { data: artifact, signature: content.messageSignature.signature };
}

// whyNoKey tells "keyless signature" from "another key" from "altered content", using the bundle's key
// hint when it has one (cosign's hint: base64 of the SHA-256 of the key's SPKI DER).
function whyNoKey(bundle: Bundle, keys: readonly CompiledPublicKey[]): string {
  const material = bundle.verificationMaterial.content;
  if (material.$case !== 'publicKey') {
    return 'signed with a certificate (keyless), not with a key of this authority';
  }
  const hint = material.publicKey.hint;
  if (hint !== '' && keys.some((k) => keyHint(k.keyObject) === hint)) {
    return 'signature does not match the content (tampered payload)';
  }
  return hint === '' ? 'signed by another key, or the payload was altered' : 'signed by another key';
}

const hints = new WeakMap<KeyObject, string>();

/** cosign's bundle key hint: base64 of the SHA-256 of the key's SPKI DER. Cached per key. */
export function keyHint(keyObject: KeyObject): string {
  let hint = hints.get(keyObject);
  if (hint === undefined) {
    const der = keyObject.export({ type: 'spki', format: 'der' });
    hint = createHash('sha256').update(der).digest('base64');
    hints.set(keyObject, hint);
  }
  return hint;
}

// refuse builds a refusal.
function refuse(kind: SignerRefusal, reason: string): SignerCheck {
  return { ok: false, kind, reason };
}
