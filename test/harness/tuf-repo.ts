// A real TUF repository on loopback, built and signed with @tufjs/models (the models tuf-js verifies with):
// root, targets holding trusted_root.json, snapshot and timestamp, consistent snapshots as sigstore serves.
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Key,
  MetaFile,
  Metadata,
  Root,
  Signature,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
} from '@tufjs/models';

const SPEC_VERSION = '1.0.31';
const ROLES = ['root', 'targets', 'snapshot', 'timestamp'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

interface SigningKey {
  readonly key: Key;
  readonly privateKey: KeyObject;
}

/** How the mirror answers: normally, 503 to everything, or never (the request hangs). */
export type MirrorMode = 'serve' | 'unavailable' | 'hang';

export interface TufRepo {
  /** Base URL of the repository (`http://127.0.0.1:PORT`), what `--tuf-mirror` takes. */
  readonly url: string;
  /** A file holding version 1 of root.json: the TUF root a client starts from. */
  readonly rootPath: string;
  mode: MirrorMode;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  /** Publishes `text` as trusted_root.json: new targets, snapshot and timestamp versions, all signed. */
  publish(text: string): void;
  /**
   * Publishes `text` like publish(), then changes the new targets.json after signing (its signature no
   * longer matches): what a mirror that was tampered with, but holds no targets key, would serve.
   */
  publishTampered(text: string): void;
  close(): Promise<void>;
}

// newKey makes an Ed25519 TUF key (public key as hex, the form tuf-js reads).
function newKey(): SigningKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const keyID = createHash('sha256').update(raw).digest('hex');
  return {
    key: new Key({ keyID, keyType: 'ed25519', scheme: 'ed25519', keyVal: { public: raw } }),
    privateKey,
  };
}

// signWith signs metadata with one key (over its canonical JSON, which Metadata.sign hands us).
function signWith<T extends Root | Targets | Snapshot | Timestamp>(signed: T, k: SigningKey): Metadata<T> {
  const md = new Metadata(signed);
  md.sign(
    (data) => new Signature({ keyID: k.key.keyID, sig: sign(null, data, k.privateKey).toString('hex') }),
  );
  return md;
}

const toBytes = (md: Metadata<Root | Targets | Snapshot | Timestamp>): Buffer =>
  Buffer.from(JSON.stringify(md.toJSON()));

/** Starts a repository serving `initial` as trusted_root.json. */
export async function startTufRepo(initial: string): Promise<TufRepo> {
  const keys = Object.fromEntries(ROLES.map((r) => [r, newKey()])) as Record<
    (typeof ROLES)[number],
    SigningKey
  >;
  const expires = new Date(Date.now() + DAY_MS).toISOString();
  const files = new Map<string, Buffer>();
  const root = new Root({ version: 1, specVersion: SPEC_VERSION, expires, consistentSnapshot: true });
  for (const role of ROLES) root.addKey(keys[role].key, role);
  const rootBytes = toBytes(signWith(root, keys.root));
  files.set('/1.root.json', rootBytes);
  const dir = mkdtempSync(join(tmpdir(), 'tuf-repo-'));
  const rootPath = join(dir, 'root.json');
  writeFileSync(rootPath, rootBytes);
  let version = 0;

  const publish = (text: string, tamper: boolean): void => {
    version += 1;
    const content = Buffer.from(text);
    const sha256 = createHash('sha256').update(content).digest('hex');
    files.set(`/targets/${sha256}.trusted_root.json`, content);
    const targets = new Targets({ version, specVersion: SPEC_VERSION, expires });
    targets.addTarget(
      new TargetFile({ path: 'trusted_root.json', length: content.length, hashes: { sha256 } }),
    );
    let targetsBytes = toBytes(signWith(targets, keys.targets));
    if (tamper) {
      const json = JSON.parse(targetsBytes.toString()) as {
        signed: { targets: Record<string, { length: number }> };
      };
      const entry = json.signed.targets['trusted_root.json'];
      if (entry) entry.length += 1;
      targetsBytes = Buffer.from(JSON.stringify(json));
    }
    files.set(`/${version}.targets.json`, targetsBytes);
    const snapshot = new Snapshot({
      version,
      specVersion: SPEC_VERSION,
      expires,
      meta: { 'targets.json': new MetaFile({ version }) },
    });
    files.set(`/${version}.snapshot.json`, toBytes(signWith(snapshot, keys.snapshot)));
    const timestamp = new Timestamp({
      version,
      specVersion: SPEC_VERSION,
      expires,
      snapshotMeta: new MetaFile({ version }),
    });
    files.set('/timestamp.json', toBytes(signWith(timestamp, keys.timestamp)));
  };
  publish(initial, false);

  const requests: string[] = [];
  const repo = {
    url: '',
    rootPath,
    mode: 'serve' as MirrorMode,
    requests,
    publish: (text: string) => publish(text, false),
    publishTampered: (text: string) => publish(text, true),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (repo.mode === 'hang') return;
    if (repo.mode === 'unavailable') {
      res.writeHead(503).end('mirror down');
      return;
    }
    const body = files.get(req.url ?? '');
    if (body === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  repo.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return repo;
}
