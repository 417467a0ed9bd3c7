import { createHash } from 'node:crypto';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import type { CompiledPublicKey, CompiledTrustedRoot } from '../../policy/compile/compiled.types';

type TLogAuthority = TrustMaterial['tlogs'][number];
type KeyFinder = TrustMaterial['publicKey'];

const BEGINNING_OF_TIME = new Date(0);
const END_OF_TIME = new Date(8640000000000000);

/** Trust material per TrustedRoot object: certificates and keys are parsed once per root, not per image. */
const materials = new WeakMap<CompiledTrustedRoot, TrustMaterial>();
/** Log authorities per policy `tlog.rekorKeys` list (compiled once with the policy). */
const rekorLogs = new WeakMap<readonly CompiledPublicKey[], readonly TLogAuthority[]>();

// refuseUnknownKey is the key finder of keyless checks: a bundle naming a key hint is not keyless.
const refuseUnknownKey: KeyFinder = (hint) => {
  throw new Error(`the bundle names a public key (hint ${JSON.stringify(hint)}), not a certificate`);
};

/**
 * The @sigstore/verify trust material for one check: the root's CAs, TSAs and logs (parsed once per
 * root), the policy's Rekor keys in place of the root's logs when it lists any, and `keys` as the only
 * public keys a bundle may name (none for keyless).
 */
export function trustMaterialFor(
  root: CompiledTrustedRoot,
  rekorKeys: readonly CompiledPublicKey[],
  keys: KeyFinder = refuseUnknownKey,
): TrustMaterial {
  let base = materials.get(root);
  if (base === undefined) {
    base = toTrustMaterial(root.root);
    materials.set(root, base);
  }
  const tlogs = rekorKeys.length > 0 ? logsOf(rekorKeys) : base.tlogs;
  return { ...base, tlogs: [...tlogs], publicKey: keys };
}

// logsOf turns policy Rekor keys into log authorities; the log ID is the SHA-256 of the key's SPKI DER.
function logsOf(keys: readonly CompiledPublicKey[]): readonly TLogAuthority[] {
  let logs = rekorLogs.get(keys);
  if (logs === undefined) {
    logs = keys.map((k) => ({
      baseURL: `policy tlog.rekorKeys ${k.id}`,
      logID: createHash('sha256')
        .update(k.keyObject.export({ type: 'spki', format: 'der' }))
        .digest(),
      publicKey: k.keyObject,
      validFor: { start: BEGINNING_OF_TIME, end: END_OF_TIME },
    }));
    rekorLogs.set(keys, logs);
  }
  return logs;
}

/** A key finder that yields exactly `key`, valid at any time (keys in a policy have no validity window). */
export function fixedKey(key: CompiledPublicKey): KeyFinder {
  return () => ({ publicKey: key.keyObject, validFor: () => true });
}
