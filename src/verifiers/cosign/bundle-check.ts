import { assertBundle, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { isRecord } from '../../guards';
import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import { describeUnknown } from '../../errors';
import { IN_TOTO_PAYLOAD_TYPE } from '../kit/dsse';
import type { SignatureOutcome } from './outcome.types';
import { checkSignStatement, quote } from './payload';
import { checkSigner } from './sigstore-check';

/**
 * Checks one sigstore bundle blob (attacker-controlled) as a cosign v3 image signature: shape via
 * @sigstore/bundle, a DSSE envelope of an in-toto statement, the signer (key, or certificate with its
 * tlog entries and timestamps: sigstore-check.ts), then the statement (predicateType, subject digest).
 */
export function checkBundle(
  bytes: Buffer,
  digest: string,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  where: string,
): SignatureOutcome {
  const bundle = parseDsseBundle(bytes);
  if (typeof bundle === 'string') return reject('payload', where, bundle, false);
  const signer = checkSigner(bundle, undefined, authority, root);
  if (!signer.ok) return reject(signer.kind, where, signer.reason, false);
  const check = checkSignStatement(dssePayload(bundle), digest);
  if (!check.ok) return reject(check.kind, where, check.reason, true);
  return { ok: true, format: 'bundle', where, signer: signer.signer, identity: signer.identity };
}

/** Parses a bundle blob that must hold a DSSE envelope of an in-toto statement; a string says why not. */
export function parseDsseBundle(bytes: Buffer): Bundle | string {
  const bundle = parseBundle(bytes);
  if (typeof bundle === 'string') return bundle;
  if (bundle.content.$case !== 'dsseEnvelope')
    return `bundle holds a ${bundle.content.$case}, not a DSSE envelope`;
  const type = bundle.content.dsseEnvelope.payloadType;
  if (type !== IN_TOTO_PAYLOAD_TYPE) return `DSSE payloadType is ${quote(type)}, not in-toto`;
  return bundle;
}

/** The statement bytes of a DSSE bundle (empty for any other content, which parseDsseBundle refuses). */
export function dssePayload(bundle: Bundle): Buffer {
  return bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope.payload : Buffer.alloc(0);
}

/** Parses a bundle blob (attacker-controlled) with @sigstore/bundle; a string says what is wrong. */
export function parseBundle(bytes: Buffer): Bundle | string {
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

// reject builds a refusal outcome.
function reject(
  kind: Exclude<SignatureOutcome, { ok: true }>['kind'],
  where: string,
  reason: string,
  signerVerified: boolean,
): SignatureOutcome {
  return { ok: false, kind, where, reason, keyVerified: signerVerified };
}
