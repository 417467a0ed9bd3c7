// The TUF chain of trust as Notary checks it: pinned root, then timestamp → snapshot → targets → delegations.
import { createHash } from 'node:crypto';
import type { CompiledNotaryRootKey } from '../../policy/compile/compiled.types';
import { VerifyError } from '../errors';
import { parseTufKey, TufKeyError, type TufKey } from './keys';
import type { Envelope, FileMeta, RoleKeys, RootRole, SignedCommon } from './metadata';
import { checkTufSignature } from './signatures';

/** Hex characters of a key id shown in messages. */
const SHORT_ID = 12;

/** Signatures of one role that verified, and why the others did not count. */
interface SignatureTally {
  readonly verified: readonly TufKey[];
  readonly reasons: readonly string[];
}

// short shortens a hex key id for messages.
function short(id: string): string {
  return id.length > SHORT_ID ? `${id.slice(0, SHORT_ID)}…` : id;
}

// tally checks every signature made by one of the role's keys; each key counts once.
function tally(env: Envelope, role: RoleKeys, keys: ReadonlyMap<string, unknown>): SignatureTally {
  const verified = new Map<string, TufKey>();
  const reasons: string[] = [];
  if (env.signatures.length === 0) reasons.push('it carries no signatures');
  for (const s of env.signatures) {
    if (!role.keyids.includes(s.keyid)) {
      reasons.push(`signature by ${short(s.keyid)}, which is not a ${env.role} key`);
      continue;
    }
    if (verified.has(s.keyid)) continue;
    let key: TufKey;
    try {
      key = parseTufKey(keys.get(s.keyid));
      if (key.id !== s.keyid) throw new TufKeyError('the key id does not match the key it names');
    } catch (error) {
      if (!(error instanceof TufKeyError)) throw error;
      reasons.push(`key ${short(s.keyid)} cannot be used: ${error.message}`);
      continue;
    }
    const check = checkTufSignature(key, s.method, env.canonical, s.sig);
    if (check === 'ok') verified.set(s.keyid, key);
    else reasons.push(`signature by ${short(s.keyid)}: ${describeCheck(check, s.method)}`);
  }
  return { verified: [...verified.values()], reasons };
}

// describeCheck turns a failed signature check into words.
function describeCheck(check: string, method: unknown): string {
  const m = typeof method === 'string' ? JSON.stringify(method.slice(0, 40)) : 'missing';
  if (check === 'unsupported-method')
    return `method ${m} is not supported (ecdsa, rsapss, rsapkcs1v15, eddsa)`;
  if (check === 'method-key-mismatch') return `method ${m} does not fit the key type`;
  return 'does not verify (tampered metadata or wrong key)';
}

/**
 * Requires `role.threshold` distinct keys of the role to have signed `env`; returns those keys.
 * Throws VERIFY_TUF_THRESHOLD listing why each signature did not count.
 */
export function verifyThreshold(env: Envelope, role: RoleKeys, keys: ReadonlyMap<string, unknown>): TufKey[] {
  const t = tally(env, role, keys);
  if (t.verified.length >= role.threshold) return [...t.verified];
  throw new VerifyError(
    'VERIFY_TUF_THRESHOLD',
    `${env.role}.json has ${t.verified.length} valid signature(s) of the ${role.threshold} required from its keys: ${t.reasons.join('; ')}`,
  );
}

/** Throws VERIFY_TUF_EXPIRED, naming the role and the date, when `expires` is not in the future. */
export function verifyNotExpired(role: string, signed: SignedCommon, now: Date): void {
  if (signed.expires.getTime() > now.getTime()) return;
  throw new VerifyError(
    'VERIFY_TUF_EXPIRED',
    `${role}.json expired on ${signed.expires.toISOString()}; ${role === 'timestamp' || role === 'snapshot' ? "the notary server re-signs it when it holds the role's key: check the server's clock and keys, or publish again" : `re-sign it: \`notary witness <gun> ${role}\` then \`notary publish <gun>\``}`,
  );
}

/**
 * Checks the pinned root: root.json must verify at its root threshold and at least one of the signatures
 * that count must be by a pinned key (compared by public key, so a pinned certificate and a pinned bare key
 * both match). Never trusts on first use. Throws VERIFY_TUF_ROOT_UNTRUSTED, VERIFY_TUF_THRESHOLD or
 * VERIFY_TUF_EXPIRED.
 */
export function verifyRoot(
  env: Envelope,
  root: RootRole,
  pinned: readonly CompiledNotaryRootKey[],
  now: Date,
): void {
  const t = tally(env, root.roles.root, root.keys);
  const byPinned = t.verified.filter((k) => pinned.some((p) => p.keyObject.equals(k.keyObject)));
  if (byPinned.length === 0) {
    const pins = pinned.map((p) => short(p.tufKeyIds[0] ?? p.id)).join(', ');
    const listed = root.roles.root.keyids.map(short).join(', ');
    const why = t.reasons.length > 0 ? ` (${t.reasons.join('; ')})` : '';
    throw new VerifyError(
      'VERIFY_TUF_ROOT_UNTRUSTED',
      `root.json is not signed by a pinned root key: pinned ${pins || 'none'}, root keys in root.json ${listed || 'none'}${why}. If the repository's root key was rotated on purpose, pin the new one`,
    );
  }
  if (t.verified.length < root.roles.root.threshold) verifyThreshold(env, root.roles.root, root.keys);
  verifyNotExpired('root', root, now);
}

/**
 * Checks a file against what the role above says about it: every hash it lists (at least one), and the
 * length unless `checkLength` is false. Throws VERIFY_TUF_HASH_MISMATCH.
 */
export function verifyFileMeta(
  role: string,
  bytes: Buffer,
  meta: FileMeta,
  above: string,
  checkLength = true,
): void {
  const algorithms = (['sha256', 'sha512'] as const).filter((a) => meta.hashes[a] !== undefined);
  if (algorithms.length === 0) {
    throw new VerifyError(
      'VERIFY_TUF_HASH_MISMATCH',
      `${above}.json lists no sha256 or sha512 hash for ${role}.json`,
    );
  }
  if (checkLength && bytes.length !== meta.length) {
    throw new VerifyError(
      'VERIFY_TUF_HASH_MISMATCH',
      `${role}.json is ${bytes.length} bytes but ${above}.json says ${meta.length}: the metadata was changed after ${above}.json was signed`,
    );
  }
  for (const a of algorithms) {
    const actual = createHash(a).update(bytes).digest();
    if (!actual.equals(meta.hashes[a] as Buffer)) {
      throw new VerifyError(
        'VERIFY_TUF_HASH_MISMATCH',
        `the ${a} of ${role}.json does not match ${above}.json: the metadata was changed after ${above}.json was signed`,
      );
    }
  }
}

/** Requires a role's version to be the one the role above lists for it, when it lists one. */
export function verifyVersion(role: string, signed: SignedCommon, meta: FileMeta, above: string): void {
  if (meta.version === undefined || meta.version === signed.version) return;
  throw new VerifyError(
    'VERIFY_TUF_VERSION_MISMATCH',
    `${role}.json is version ${signed.version} but ${above}.json lists version ${meta.version}: the server mixes metadata from different publishes`,
  );
}
