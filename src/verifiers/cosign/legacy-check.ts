import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import type { ImageRef } from '../../reference';
import { findSigningKey } from '../kit/dsse';
import { MAX_SIGNATURE_ANNOTATION_CHARS } from './limits';
import { strictBase64, toLegacyBundle } from './legacy-bundle';
import { CERTIFICATE_ANNOTATION } from './media-types';
import type { SignatureOutcome } from './outcome.types';
import { checkSimpleSigningPayload } from './payload';
import { checkSigner } from './sigstore-check';

/**
 * Checks one legacy `.sig` layer: its signature (the layer's signature annotation) must verify over the
 * EXACT payload bytes by the authority's signer, then the payload must name `target.digest` (and, under the
 * authority's signedIdentity, a docker-reference it accepts for `target.ref`). All inputs but `target`,
 * `authority` and `root` are attacker-controlled. A key authority that needs no tlog ignores the
 * keyless annotations; any other authority rebuilds the layer as a bundle and checks it whole.
 */
export function checkLegacySignature(
  payload: Buffer,
  signatureB64: string,
  annotations: Readonly<Record<string, string>>,
  target: { readonly ref: ImageRef; readonly digest: string },
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
  where: string,
): SignatureOutcome {
  const signer =
    authority.keyless === undefined && !authority.tlog.required
      ? checkKeyOnly(payload, signatureB64, annotations, authority)
      : signerOf(payload, signatureB64, annotations, authority, root);
  if (!signer.ok) return { ok: false, kind: signer.kind, where, reason: signer.reason, keyVerified: false };
  const { signedIdentity } = authority;
  const rule = signedIdentity === undefined ? undefined : { signedIdentity, ref: target.ref };
  const check = checkSimpleSigningPayload(payload, target.digest, rule);
  if (!check.ok) return { ok: false, kind: check.kind, where, reason: check.reason, keyVerified: true };
  return { ok: true, format: 'legacy', where, signer: signer.signer, identity: signer.identity };
}

type Signer = ReturnType<typeof checkSigner>;

// signerOf checks the layer through a rebuilt bundle: certificate, SET, timestamp and signature.
function signerOf(
  payload: Buffer,
  signatureB64: string,
  annotations: Readonly<Record<string, string>>,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
): Signer {
  const bundle = toLegacyBundle({ kind: 'message', payload, signatureB64 }, annotations);
  if (typeof bundle === 'string') return { ok: false, kind: 'payload', reason: bundle };
  return checkSigner(bundle, payload, authority, root);
}

// checkKeyOnly is the plain key check of a cosign v2 key signature (no log required).
function checkKeyOnly(
  payload: Buffer,
  signatureB64: string,
  annotations: Readonly<Record<string, string>>,
  authority: CompiledCosignAuthority,
): Signer {
  const signature = strictBase64(signatureB64, MAX_SIGNATURE_ANNOTATION_CHARS);
  if (signature === undefined)
    return { ok: false, kind: 'payload', reason: 'signature annotation is not base64' };
  const key = findSigningKey(authority.keys, payload, signature);
  if (key !== undefined) return { ok: true, signer: `key ${key.id}`, identity: { kind: 'key', key: key.id } };
  const reason =
    annotations[CERTIFICATE_ANNOTATION] !== undefined
      ? 'signed with a certificate (keyless), not with a key of this authority'
      : 'signed by another key, or the payload was altered';
  return { ok: false, kind: 'signature', reason };
}
