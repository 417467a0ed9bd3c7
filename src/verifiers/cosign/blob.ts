import { createHash } from 'node:crypto';
import type { CompiledCosignAuthority, CompiledTrustedRoot } from '../../policy/compile/compiled.types';
import { dssePayload, parseBundle } from './bundle-check';
import { checkSigner, type SignerCheck } from './sigstore-check';
import { readStatement } from './statement';

/**
 * Verifies a sigstore bundle over a blob (what `cosign verify-blob --bundle` and the sigstore-conformance
 * `bundle-verify` cases check): the signer as for images, and for a DSSE bundle a statement whose subject
 * is the blob's sha256. A message-signature bundle is verified over the blob bytes themselves.
 */
export function verifyBlobBundle(
  bundleBytes: Buffer,
  artifact: Buffer,
  authority: CompiledCosignAuthority,
  root: CompiledTrustedRoot,
): SignerCheck {
  const bundle = parseBundle(bundleBytes);
  if (typeof bundle === 'string') return { ok: false, kind: 'payload', reason: bundle };
  if (bundle.content.$case === 'messageSignature') return checkSigner(bundle, artifact, authority, root);
  const signer = checkSigner(bundle, undefined, authority, root);
  if (!signer.ok) return signer;
  const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;
  const read = readStatement(dssePayload(bundle), digest);
  return read.ok ? signer : { ok: false, kind: 'payload', reason: read.reason };
}
