// One lookaside signature, judged: OpenPGP signature by a policy key, then the payload, then the digest it
// binds, then the identity it names, in that order (nothing from the payload is read before it verified).
import type { PublicKey } from 'openpgp';
import type { CompiledSimpleSigningAuthority } from '../../policy/compile/compiled.types';
import { VerifyError } from '../errors';
import type { VerifyTarget } from '../verifier.types';
import { describeRule, matchesSignedIdentity } from './identity';
import { verifyGpgMessage } from './openpgp';
import type { SimpleSignatureOutcome } from './outcome.types';
import { parseSimpleSigningPayload } from './payload';

/** What examining a signature needs besides its bytes. */
export interface SimpleExamination {
  readonly target: VerifyTarget;
  readonly authority: CompiledSimpleSigningAuthority;
  readonly keys: readonly PublicKey[];
  readonly now: Date;
}

/** Judges the lookaside file `where` (e.g. `signature-1`); never throws for anything the file holds. */
export async function examineSimpleSignature(
  file: Buffer,
  where: string,
  x: SimpleExamination,
): Promise<SimpleSignatureOutcome> {
  const gpg = await verifyGpgMessage(file, x.keys, x.now);
  if (!gpg.ok) return { ok: false, where, kind: gpg.kind, reason: gpg.reason };
  const by = `key ${gpg.fingerprint}`;
  let payload;
  try {
    payload = parseSimpleSigningPayload(gpg.payload);
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    return { ok: false, where, kind: 'payload', reason: `signed by ${by}, but ${error.message}` };
  }
  if (payload.dockerManifestDigest !== x.target.digest) {
    const reason = `signed by ${by} for digest ${payload.dockerManifestDigest}, not this image's ${x.target.digest}`;
    return { ok: false, where, kind: 'digest', reason };
  }
  if (!matchesSignedIdentity(x.authority.signedIdentity, x.target.ref, payload.dockerReference)) {
    const rule = describeRule(x.authority);
    const reason = `signed by ${by} for identity ${JSON.stringify(payload.dockerReference.slice(0, 300))}, which signedIdentity ${rule} does not accept`;
    return { ok: false, where, kind: 'identity', reason };
  }
  return { ok: true, where, fingerprint: gpg.fingerprint, dockerReference: payload.dockerReference };
}
