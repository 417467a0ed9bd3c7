// A real notary-server (Debian's `notary` package) on loopback with memory storage and a local signer, and the
// real `notary` CLI with its own trust directory; used by the Notary v1 integration tests.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { selfSignedArgs } from './tls';
import { promisify } from 'node:util';
import { startProcess, stopProcessGroup } from './process';

const execFileP = promisify(execFile);

/** Where the Debian package installs the binaries. */
export const NOTARY_SERVER_BIN = process.env['NOTARY_SERVER_BIN'] ?? '/usr/bin/notary-server';
export const NOTARY_BIN = process.env['NOTARY_BIN'] ?? '/usr/bin/notary';
/** Timeout for one notary CLI invocation. */
export const NOTARY_CLI_TIMEOUT_MS = 60_000;

/** Passphrases the CLI reads from the environment (test keys only). */
const PASSPHRASES = {
  NOTARY_ROOT_PASSPHRASE: 'portcullis-test-root',
  NOTARY_TARGETS_PASSPHRASE: 'portcullis-test-targets',
  NOTARY_SNAPSHOT_PASSPHRASE: 'portcullis-test-snapshot',
  NOTARY_DELEGATION_PASSPHRASE: 'portcullis-test-delegation',
};

export interface NotaryServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  stop(): Promise<void>;
}

// freePort asks the kernel for a loopback port that is free now.
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Starts notary-server on loopback (plain HTTP, memory storage, local ed25519 signer for timestamps). */
export async function startNotaryServer(): Promise<NotaryServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-notary-server-'));
  const port = await freePort();
  const config = {
    server: { http_addr: `127.0.0.1:${port}` },
    trust_service: { type: 'local' },
    storage: { backend: 'memory' },
    logging: { level: 'info' },
  };
  const file = path.join(dir, 'server.json');
  await writeFile(file, JSON.stringify(config));
  const started = await startProcess(NOTARY_SERVER_BIN, ['-config', file], /Starting on 127\.0\.0\.1:\d+/);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await stopProcessGroup(started.pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The notary CLI bound to one server and its own trust directory. */
export class NotaryCli {
  private constructor(
    readonly server: string,
    readonly trustDir: string,
  ) {}

  /** A CLI with a fresh trust directory. */
  static async create(server: string): Promise<NotaryCli> {
    return new NotaryCli(server, await mkdtemp(path.join(os.tmpdir(), 'portcullis-notary-trust-')));
  }

  /** Runs `notary -s SERVER -d TRUSTDIR args…`; rejects with its output on failure. */
  async run(...args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileP(NOTARY_BIN, ['-s', this.server, '-d', this.trustDir, ...args], {
        env: { ...process.env, ...PASSPHRASES },
        timeout: NOTARY_CLI_TIMEOUT_MS,
      });
      return stdout;
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`notary ${args.join(' ')} failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    }
  }

  /** `notary init GUN -p`: a new repository with client-held root, targets and snapshot keys. */
  init(gun: string): Promise<string> {
    return this.run('init', gun, '-p');
  }

  /** Signs a manifest by digest and size in `roles` (default: targets) and publishes. */
  addHash(
    gun: string,
    tag: string,
    size: number,
    digest: string,
    roles: readonly string[] = [],
  ): Promise<string> {
    const hex = digest.replace(/^sha256:/, '');
    const r = roles.length > 0 ? ['--roles', roles.join(',')] : [];
    return this.run('addhash', gun, tag, String(size), '--sha256', hex, ...r, '-p');
  }

  /** Creates a delegation key pair (EC P-256, self-signed certificate), imports the key, delegates all paths. */
  async addDelegation(gun: string, role: string): Promise<void> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-notary-del-'));
    try {
      const key = path.join(dir, 'del.key');
      const crt = path.join(dir, 'del.crt');
      await execFileP(
        'openssl',
        selfSignedArgs({
          keyFile: key,
          certFile: crt,
          days: 365,
          subject: `/CN=${role.replace(/\//g, '-')}`,
        }),
        { timeout: NOTARY_CLI_TIMEOUT_MS },
      );
      await this.run('delegation', 'add', gun, role, crt, '--all-paths', '-p');
      await this.run('key', 'import', key, '--role', role);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The root key's `keyval.public` from the local root.json: the base64 PEM certificate HPVS contracts pin. */
  async rootKeyBase64(gun: string): Promise<string> {
    const file = path.join(this.trustDir, 'tuf', ...gun.split('/'), 'metadata', 'root.json');
    const root = JSON.parse(await readFile(file, 'utf8')) as {
      signed: { keys: Record<string, { keyval: { public: string } }>; roles: { root: { keyids: string[] } } };
    };
    const id = root.signed.roles.root.keyids[0] ?? '';
    const key = root.signed.keys[id];
    if (key === undefined) throw new Error(`root.json of ${gun} lists no root key`);
    return key.keyval.public;
  }

  /** Removes the trust directory. */
  cleanup(): Promise<void> {
    return rm(this.trustDir, { recursive: true, force: true });
  }
}
