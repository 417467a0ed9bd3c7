// Test helper: builds small, validly signed Notary repositories with node:crypto keys, so that each chain
// failure can be produced by changing one thing.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { tufKeyId } from '../../../../src/policy/authorities/notary-keys';
import { toCanonicalJson } from '../../../../src/verifiers/notary-v1/canonical-json';

/** A TUF signing key as Notary writes it, with the private half. */
export interface Signer {
  readonly id: string;
  readonly json: { keytype: string; keyval: { private: null; public: string } };
  readonly publicPem: string;
  readonly privateKey: KeyObject;
  readonly method: 'ecdsa' | 'rsapss' | 'rsapkcs1v15' | 'eddsa';
}

/** A fresh key of one type: ECDSA P-256, RSA 2048 (PSS or PKCS#1 v1.5) or Ed25519. */
export function makeSigner(kind: 'ecdsa' | 'rsapss' | 'rsapkcs1v15' | 'eddsa' = 'ecdsa'): Signer {
  const pair =
    kind === 'ecdsa'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'eddsa'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const keytype = kind === 'ecdsa' ? 'ecdsa' : kind === 'eddsa' ? 'ed25519' : 'rsa';
  const pub = (kind === 'eddsa' ? spki.subarray(12) : spki).toString('base64');
  return {
    id: tufKeyId(keytype, pub),
    json: { keytype, keyval: { private: null, public: pub } },
    publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: pair.privateKey,
    method: kind,
  };
}

/** Signs `signed` (its canonical JSON) with each signer; returns the metadata file bytes. */
export function signRole(signed: unknown, signers: readonly Signer[]): Buffer {
  const data = toCanonicalJson(signed);
  const signatures = signers.map((s) => ({
    keyid: s.id,
    method: s.method,
    sig: signBytes(s, data).toString('base64'),
  }));
  return Buffer.from(JSON.stringify({ signed, signatures }));
}

/** The raw signature bytes Notary would write for one method. */
export function signBytes(s: Signer, data: Buffer): Buffer {
  switch (s.method) {
    case 'ecdsa':
      return sign('sha256', data, { key: s.privateKey, dsaEncoding: 'ieee-p1363' });
    case 'rsapss':
      return sign('sha256', data, { key: s.privateKey, padding: 6, saltLength: 32 });
    case 'rsapkcs1v15':
      return sign('sha256', data, { key: s.privateKey, padding: 1 });
    case 'eddsa':
      return sign(null, data, s.privateKey);
  }
}

/** `{length, hashes}` of a file, as snapshot.json and timestamp.json list it. */
export function fileMeta(bytes: Buffer, version?: number): Record<string, unknown> {
  const h = (a: string) => createHash(a).update(bytes).digest('base64');
  return {
    length: bytes.length,
    hashes: { sha256: h('sha256'), sha512: h('sha512') },
    ...(version ? { version } : {}),
  };
}

/** A target entry for a manifest of `size` bytes with the given sha256 hex. */
export function target(hex: string, size: number): Record<string, unknown> {
  return { length: size, hashes: { sha256: Buffer.from(hex, 'hex').toString('base64') } };
}

const FAR = '2099-01-01T00:00:00Z';

/** What a built repository has, role by role; override a part to produce one failure. */
export interface RepoOptions {
  targets?: Record<string, unknown>;
  delegations?: {
    name: string;
    signer: Signer;
    targets: Record<string, unknown>;
    paths?: string[];
    parent?: string;
  }[];
  expires?: Record<string, string>;
  /** Changes `signed` of a role before it is signed. */
  edit?: Record<string, (signed: Record<string, unknown>) => void>;
  /** Changes the bytes of a role after the roles above listed them. */
  tamper?: Record<string, (bytes: Buffer) => Buffer>;
}

/** Four top-level keys and a builder that signs a whole repository with them. */
export class TestRepo {
  readonly root = makeSigner();
  readonly targets = makeSigner();
  readonly snapshot = makeSigner();
  readonly timestamp = makeSigner();

  /** Every role file, keyed by role name. */
  build(o: RepoOptions = {}): Map<string, Buffer> {
    const files = new Map<string, Buffer>();
    const exp = (role: string) => o.expires?.[role] ?? FAR;
    const edit = (role: string, s: Record<string, unknown>) => {
      o.edit?.[role]?.(s);
      return s;
    };
    const keys = Object.fromEntries(
      [this.root, this.targets, this.snapshot, this.timestamp].map((k) => [k.id, structuredClone(k.json)]),
    );
    const roles = Object.fromEntries(
      (['root', 'targets', 'snapshot', 'timestamp'] as const).map((r) => [
        r,
        { keyids: [this[r].id], threshold: 1 },
      ]),
    );
    files.set(
      'root',
      signRole(
        edit('root', {
          _type: 'Root',
          version: 1,
          expires: exp('root'),
          keys,
          roles,
          consistent_snapshot: false,
        }),
        [this.root],
      ),
    );
    const dels = o.delegations ?? [];
    const delegationsOf = (parent: string) => {
      const children = dels.filter((d) => (d.parent ?? 'targets') === parent);
      return {
        keys: Object.fromEntries(children.map((d) => [d.signer.id, structuredClone(d.signer.json)])),
        roles: children.map((d) => ({
          name: d.name,
          keyids: [d.signer.id],
          threshold: 1,
          paths: d.paths ?? [''],
        })),
      };
    };
    files.set(
      'targets',
      signRole(
        edit('targets', {
          _type: 'Targets',
          version: 1,
          expires: exp('targets'),
          targets: o.targets ?? {},
          delegations: delegationsOf('targets'),
        }),
        [this.targets],
      ),
    );
    for (const d of dels) {
      const signed = {
        _type: 'Targets',
        version: 1,
        expires: exp(d.name),
        targets: d.targets,
        delegations: delegationsOf(d.name),
      };
      files.set(d.name, signRole(edit(d.name, signed), [d.signer]));
    }
    const meta: Record<string, unknown> = {};
    for (const [role, bytes] of files) meta[role] = fileMeta(bytes);
    const tampered = (role: string) => {
      const t = o.tamper?.[role];
      const b = files.get(role);
      if (t && b) files.set(role, t(b));
    };
    files.set(
      'snapshot',
      signRole(edit('snapshot', { _type: 'Snapshot', version: 1, expires: exp('snapshot'), meta }), [
        this.snapshot,
      ]),
    );
    const snap = files.get('snapshot') as Buffer;
    files.set(
      'timestamp',
      signRole(
        edit('timestamp', {
          _type: 'Timestamp',
          version: 1,
          expires: exp('timestamp'),
          meta: { snapshot: fileMeta(snap, 1) },
        }),
        [this.timestamp],
      ),
    );
    for (const role of [...files.keys()]) tampered(role);
    return files;
  }
}
