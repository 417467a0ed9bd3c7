import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { assertBundle, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import type { CompiledPublicKey } from '../../policy/compile/compiled.types';
import { describeUnknown } from '../../errors';
import { findSigningKey, IN_TOTO_PAYLOAD_TYPE, toPreAuthEncoding } from '../kit/dsse';
import type { SignatureOutcome } from './outcome.types';
import { checkSignStatement, quote } from './payload';
import { isRecord } from '../../guards';

/**
 * Checks one sigstore bundle blob (attacker-controlled) as a cosign v3 image signature: shape via
 * @sigstore/bundle, a DSSE envelope of an in-toto statement, the signature over the PAE with one of
 * `keys`, then the statement (predicateType, subject digest). Transparency-log entries and timestamps
 * in the bundle are not checked (keys only, no tlog; see docs/adr/0003-sigstore-packages.md).
 */
export function checkBundle(
  bytes: Buffer,
  digest: string,
  keys: readonly CompiledPublicKey[],
  where: string,
): SignatureOutcome {
  const bundle = parseBundle(bytes);
  if (typeof bundle === 'string') return reject('payload', where, bundle, false);
  if (bundle.content.$case !== 'dsseEnvelope') {
    return reject('payload', where, `bundle holds a ${bundle.content.$case}, not a DSSE envelope`, false);
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return reject('payload', where, `DSSE payloadType is ${quote(envelope.payloadType)}, not in-toto`, false);
  }
  const signature = envelope.signatures[0]?.sig ?? Buffer.alloc(0);
  const key = findSigningKey(keys, toPreAuthEncoding(envelope.payloadType, envelope.payload), signature);
  if (key === undefined) return reject('signature', where, whyNotVerified(bundle, keys), false);
  const check = checkSignStatement(envelope.payload, digest);
  if (!check.ok) return reject(check.kind, where, check.reason, true);
  return { ok: true, format: 'bundle', where, keyId: key.id };
}

// parseBundle wraps JSON and @sigstore/bundle validation errors into one line.
function parseBundle(bytes: Buffer): Bundle | string {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return 'bundle is not JSON';
  }
  if (!isRecord(json)) return 'bundle is not a JSON object';
  try {
    const bundle = bundleFromJSON(json);
    assertBundle(bundle);
    return bundle;
  } catch (e) {
    const fields = isRecord(e) && Array.isArray(e['fields']) ? `: ${e['fields'].join(', ')}` : '';
    return `invalid sigstore bundle (${describeUnknown(e)}${fields})`;
  }
}

// whyNotVerified tells "another key" from "altered content" using the bundle's key hint when it has one.
function whyNotVerified(bundle: Bundle, keys: readonly CompiledPublicKey[]): string {
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

// reject builds a refusal outcome.
function reject(
  kind: 'signature' | 'digest' | 'predicate' | 'payload',
  where: string,
  reason: string,
  keyVerified: boolean,
): SignatureOutcome {
  return { ok: false, kind, where, reason, keyVerified };
}
