// An in-process stand-in for a Rekor v1 log, for legacy `.sig` signatures with a `dev.sigstore.cosign/bundle`
// annotation. Only Rekor v2 runs in the harness, and cosign v2 can only log to Rekor v1, so the tests add the
// entry themselves: a hashedrekord v0.0.1 body and a Signed Entry Timestamp (SET) signed by this log's key,
// exactly as Rekor v1 computes it (ECDSA P-256 over the canonical JSON of body, integratedTime, logID, logIndex).
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** The `Payload` of cosign's `dev.sigstore.cosign/bundle` annotation. */
export interface RekorV1Payload {
  readonly body: string;
  readonly integratedTime: number;
  readonly logIndex: number;
  readonly logID: string;
}

/** cosign's `dev.sigstore.cosign/bundle` annotation, parsed. */
export interface RekorV1Bundle {
  readonly SignedEntryTimestamp: string;
  readonly Payload: RekorV1Payload;
}

/** What a legacy signature logs: its payload bytes, base64 signature and PEM certificate. */
export interface LoggedSignature {
  readonly payload: Buffer;
  readonly signatureB64: string;
  readonly certificatePem: string;
}

export interface RekorV1Log {
  /** The log's public key, for a policy's `tlog.rekorKeys`. */
  readonly publicKeyPem: string;
  /** The log ID: hex SHA-256 of the key's SPKI DER. */
  readonly logID: string;
  /** A hashedrekord v0.0.1 body (base64 of its canonical JSON) for `signature`. */
  body(signature: LoggedSignature): string;
  /** A SET over `payload` by this log's key. */
  sign(payload: RekorV1Payload): string;
  /** The annotation for `signature`, logged at `integratedTime` (unix seconds; default now). */
  annotate(signature: LoggedSignature, integratedTime?: number): string;
}

/** Creates a log with a fresh P-256 key; entries get increasing log indexes. */
export function createRekorV1Log(): RekorV1Log {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logID = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
  let nextIndex = 0;
  const log: RekorV1Log = {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    logID,
    body: hashedRekordBody,
    sign: (payload) => signedEntryTimestamp(privateKey, payload),
    annotate(signature, integratedTime = Math.floor(Date.now() / 1000)) {
      const payload = { body: hashedRekordBody(signature), integratedTime, logIndex: nextIndex++, logID };
      return JSON.stringify({ SignedEntryTimestamp: log.sign(payload), Payload: payload });
    },
  };
  return log;
}

// hashedRekordBody is Rekor's canonical JSON (keys sorted, no spaces) of the entry for one signature.
function hashedRekordBody(s: LoggedSignature): string {
  const hash = createHash('sha256').update(s.payload).digest('hex');
  const publicKey = Buffer.from(s.certificatePem).toString('base64');
  const json =
    `{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"data":{"hash":{"algorithm":"sha256","value":"${hash}"}},` +
    `"signature":{"content":"${s.signatureB64}","publicKey":{"content":"${publicKey}"}}}}`;
  return Buffer.from(json).toString('base64');
}

// signedEntryTimestamp signs the canonical JSON Rekor v1 signs (keys in sorted order).
function signedEntryTimestamp(key: KeyObject, p: RekorV1Payload): string {
  const canonical = JSON.stringify({
    body: p.body,
    integratedTime: p.integratedTime,
    logID: p.logID,
    logIndex: p.logIndex,
  });
  return sign('sha256', Buffer.from(canonical), key).toString('base64');
}
