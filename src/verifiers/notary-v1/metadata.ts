// Shape-checks TUF metadata files (attacker-controlled JSON) into typed roles; every problem is a VerifyError.
import { VerifyError } from '../errors';
import { CanonicalJsonError, toCanonicalJson } from './canonical-json';
import { MAX_TUF_DELEGATIONS_PER_ROLE, MAX_TUF_KEYS, MAX_TUF_SIGNATURES_PER_ROLE } from './limits';
import { isRecord } from '../../guards';

/** A fetched metadata file: its bytes, its `signed` part (and canonical form) and its signatures. */
export interface Envelope {
  /** The role, e.g. `root` or `targets/releases`. */
  readonly role: string;
  readonly bytes: Buffer;
  readonly signed: Readonly<Record<string, unknown>>;
  /** The canonical JSON of `signed`: the bytes every signature covers. */
  readonly canonical: Buffer;
  readonly signatures: readonly { readonly keyid: string; readonly method: unknown; readonly sig: Buffer }[];
}

/** Which keys sign a role, and how many must. */
export interface RoleKeys {
  readonly keyids: readonly string[];
  readonly threshold: number;
}

/** What a role above says about a file: its length, hashes and (for meta entries) its version. */
export interface FileMeta {
  readonly length: number;
  readonly hashes: Readonly<Partial<Record<'sha256' | 'sha512', Buffer>>>;
  readonly version?: number;
}

export interface SignedCommon {
  readonly version: number;
  readonly expires: Date;
}
export interface RootRole extends SignedCommon {
  readonly keys: ReadonlyMap<string, unknown>;
  readonly roles: Readonly<Record<'root' | 'targets' | 'snapshot' | 'timestamp', RoleKeys>>;
}
export interface MetaRole extends SignedCommon {
  readonly meta: ReadonlyMap<string, FileMeta>;
}
export interface DelegatedRole extends RoleKeys {
  readonly name: string;
  readonly paths?: readonly string[];
  readonly pathHashPrefixes?: readonly string[];
}
export interface TargetsRole extends SignedCommon {
  readonly targets: ReadonlyMap<string, FileMeta>;
  readonly delegationKeys: ReadonlyMap<string, unknown>;
  readonly delegations: readonly DelegatedRole[];
}

const TYPES = { root: 'Root', timestamp: 'Timestamp', snapshot: 'Snapshot', targets: 'Targets' } as const;

// invalid is the error for metadata whose shape is wrong; it names the file.
function invalid(role: string, what: string): VerifyError {
  return new VerifyError('VERIFY_TUF_METADATA_INVALID', `${role}.json ${what}`);
}

/** Parses a metadata file into its envelope; throws VERIFY_TUF_METADATA_INVALID for anything malformed. */
export function parseEnvelope(role: string, bytes: Buffer): Envelope {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid(role, 'is not valid JSON');
  }
  if (!isRecord(doc) || !isRecord(doc.signed) || !Array.isArray(doc.signatures)) {
    throw invalid(role, 'is not TUF metadata: expected {"signed": {…}, "signatures": […]}');
  }
  if (doc.signatures.length > MAX_TUF_SIGNATURES_PER_ROLE) {
    throw invalid(
      role,
      `has ${doc.signatures.length} signatures; at most ${MAX_TUF_SIGNATURES_PER_ROLE} are read`,
    );
  }
  let canonical: Buffer;
  try {
    canonical = toCanonicalJson(doc.signed);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    throw invalid(role, `has no canonical JSON form (${error.message})`);
  }
  const signatures = doc.signatures.map((s: unknown) => {
    if (!isRecord(s) || typeof s.keyid !== 'string' || typeof s.sig !== 'string') {
      throw invalid(role, 'has a signature without a keyid or sig');
    }
    return { keyid: s.keyid, method: s.method, sig: Buffer.from(s.sig, 'base64') };
  });
  return { role, bytes, signed: doc.signed, canonical, signatures };
}

// common reads `_type`, `version` and `expires`, which every role has.
function common(env: Envelope, type: string): SignedCommon {
  const s = env.signed;
  if (s._type !== type) throw invalid(env.role, `has _type ${JSON.stringify(s._type)}; expected "${type}"`);
  if (typeof s.version !== 'number' || !Number.isSafeInteger(s.version) || s.version < 0) {
    throw invalid(env.role, 'has no valid version');
  }
  const expires = typeof s.expires === 'string' ? new Date(s.expires) : undefined;
  if (expires === undefined || Number.isNaN(expires.getTime()))
    throw invalid(env.role, 'has no valid expires date');
  return { version: s.version, expires };
}

/** root.json: keys and the four top-level roles. */
export function toRootRole(env: Envelope): RootRole {
  const base = common(env, TYPES.root);
  const keys = keyMap(env, env.signed.keys, 'keys');
  const roles = isRecord(env.signed.roles) ? env.signed.roles : {};
  const role = (name: keyof RootRole['roles']): RoleKeys => toRoleKeys(env, roles[name], `roles.${name}`);
  return {
    ...base,
    keys,
    roles: {
      root: role('root'),
      targets: role('targets'),
      snapshot: role('snapshot'),
      timestamp: role('timestamp'),
    },
  };
}

/** timestamp.json or snapshot.json: the `meta` map of the files they vouch for. */
export function toMetaRole(env: Envelope, kind: 'timestamp' | 'snapshot'): MetaRole {
  const base = common(env, TYPES[kind]);
  if (!isRecord(env.signed.meta)) throw invalid(env.role, 'has no meta');
  return { ...base, meta: fileMap(env, env.signed.meta, 'meta') };
}

/** targets.json or a delegation: the signed targets and the roles it delegates to. */
export function toTargetsRole(env: Envelope): TargetsRole {
  const base = common(env, TYPES.targets);
  const targets = isRecord(env.signed.targets) ? env.signed.targets : undefined;
  if (targets === undefined) throw invalid(env.role, 'has no targets');
  const d = env.signed.delegations;
  const delegations = isRecord(d) ? d : {};
  const rawRoles = Array.isArray(delegations.roles) ? delegations.roles : [];
  if (rawRoles.length > MAX_TUF_DELEGATIONS_PER_ROLE) {
    throw invalid(
      env.role,
      `delegates to ${rawRoles.length} roles; at most ${MAX_TUF_DELEGATIONS_PER_ROLE} are read`,
    );
  }
  return {
    ...base,
    targets: fileMap(env, targets, 'targets'),
    delegationKeys: keyMap(env, delegations.keys ?? {}, 'delegations.keys'),
    delegations: rawRoles.map((r: unknown, i) => toDelegatedRole(env, r, `delegations.roles[${i}]`)),
  };
}

// toDelegatedRole reads one entry of `delegations.roles`.
function toDelegatedRole(env: Envelope, raw: unknown, at: string): DelegatedRole {
  const o = isRecord(raw) ? raw : {};
  if (typeof o.name !== 'string') throw invalid(env.role, `${at} has no name`);
  const strings = (v: unknown): string[] | undefined =>
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  const paths = strings(o.paths);
  const pathHashPrefixes = strings(o.path_hash_prefixes);
  return {
    name: o.name,
    ...toRoleKeys(env, o, at),
    ...(paths === undefined ? {} : { paths }),
    ...(pathHashPrefixes === undefined ? {} : { pathHashPrefixes }),
  };
}

// toRoleKeys reads `{keyids, threshold}`; a threshold below 1 would let unsigned metadata through.
function toRoleKeys(env: Envelope, raw: unknown, at: string): RoleKeys {
  const o = isRecord(raw) ? raw : {};
  const keyids = o.keyids;
  if (!Array.isArray(keyids) || !keyids.every((k) => typeof k === 'string') || keyids.length > MAX_TUF_KEYS) {
    throw invalid(env.role, `${at} has no valid keyids`);
  }
  const t = o.threshold;
  if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 1) {
    throw invalid(env.role, `${at} has a threshold below 1`);
  }
  return { keyids: keyids as string[], threshold: t };
}

// keyMap bounds and copies a `keys` object; the keys themselves are parsed when a signature needs them.
function keyMap(env: Envelope, raw: unknown, at: string): ReadonlyMap<string, unknown> {
  if (!isRecord(raw)) throw invalid(env.role, `${at} is not an object`);
  const entries = Object.entries(raw);
  if (entries.length > MAX_TUF_KEYS) throw invalid(env.role, `${at} lists more than ${MAX_TUF_KEYS} keys`);
  return new Map(entries);
}

// fileMap reads `{name: {length, hashes, version?}}` maps (meta and targets).
function fileMap(env: Envelope, raw: Record<string, unknown>, at: string): ReadonlyMap<string, FileMeta> {
  const out = new Map<string, FileMeta>();
  for (const [name, v] of Object.entries(raw)) {
    const o = isRecord(v) ? v : {};
    const hashes = isRecord(o.hashes) ? o.hashes : {};
    if (typeof o.length !== 'number' || !Number.isSafeInteger(o.length) || o.length < 0) {
      throw invalid(env.role, `${at}[${JSON.stringify(name.slice(0, 80))}] has no valid length`);
    }
    const h: Partial<Record<'sha256' | 'sha512', Buffer>> = {};
    if (typeof hashes.sha256 === 'string') h.sha256 = Buffer.from(hashes.sha256, 'base64');
    if (typeof hashes.sha512 === 'string') h.sha512 = Buffer.from(hashes.sha512, 'base64');
    const version = typeof o.version === 'number' && Number.isSafeInteger(o.version) ? o.version : undefined;
    out.set(name, { length: o.length, hashes: h, ...(version === undefined ? {} : { version }) });
  }
  return out;
}
