// GPG simple signing as users do it: a throwaway GnuPG home with a batch-generated key (no passphrase), the real
// `skopeo copy --sign-by` writing signatures to a file:// lookaside-staging folder (registries.d), and a loopback
// HTTP server that publishes that folder as the lookaside store the verifier reads.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TOOL_TIMEOUT_MS } from './images';
import { tool } from './tools';

const execFileP = promisify(execFile);

/** A GnuPG home with one secret key. */
export interface GpgSigner {
  readonly home: string;
  /** The primary key's fingerprint, upper-case hex. */
  readonly fingerprint: string;
  /** `gpg --armor --export <fingerprint>`. */
  readonly publicKey: string;
  /** Imports the revocation certificate gpg made at key generation; resolves to the revoked public key's export. */
  revoke(): Promise<string>;
  cleanup(): Promise<void>;
}

/**
 * Generates a key in a new GnuPG home (`--batch`, `%no-protection`, loopback pinentry). `rsa` makes an RSA-2048
 * primary key with an RSA signing subkey; `ed25519` an EdDSA primary key that signs itself.
 */
export async function createGpgSigner(name: string, kind: 'rsa' | 'ed25519' = 'rsa'): Promise<GpgSigner> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'portcullis-gnupg-'));
  const params = path.join(home, 'key-params');
  const keyLines =
    kind === 'rsa'
      ? ['Key-Type: RSA', 'Key-Length: 2048', 'Subkey-Type: RSA', 'Subkey-Length: 2048', 'Subkey-Usage: sign']
      : ['Key-Type: EDDSA', 'Key-Curve: ed25519', 'Key-Usage: sign'];
  await writeFile(
    params,
    [
      '%no-protection',
      ...keyLines,
      `Name-Real: ${name}`,
      `Name-Email: ${name}@portcullis.invalid`,
      'Expire-Date: 0',
      '%commit',
      '',
    ].join('\n'),
  );
  const gpg = (args: string[]) =>
    execFileP(tool('gpg'), ['--homedir', home, '--batch', '--pinentry-mode', 'loopback', ...args], {
      timeout: TOOL_TIMEOUT_MS,
    });
  await gpg(['--gen-key', params]);
  const { stdout: colons } = await gpg(['--list-keys', '--with-colons']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)?.[1];
  if (fingerprint === undefined) throw new Error(`gpg made no key:\n${colons}`);
  const { stdout: publicKey } = await gpg(['--armor', '--export', fingerprint]);
  return {
    home,
    fingerprint,
    publicKey,
    async revoke() {
      // gpg guards the stored certificate with a leading ':' on its armor line so that it is not imported by accident.
      const stored = await readFile(path.join(home, 'openpgp-revocs.d', `${fingerprint}.rev`), 'utf8');
      const certificate = path.join(home, 'revocation.asc');
      await writeFile(certificate, stored.replace(/^:-----BEGIN/m, '-----BEGIN'));
      await gpg(['--import', certificate]);
      return (await gpg(['--armor', '--export', fingerprint])).stdout;
    },
    async cleanup() {
      await execFileP(tool('gpgconf'), ['--homedir', home, '--kill', 'gpg-agent']).catch(() => undefined);
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A lookaside folder and the loopback HTTP server that publishes it. */
export interface Lookaside {
  /** Where skopeo stages signatures (`lookaside-staging: file://<dir>`). */
  readonly dir: string;
  /** The base URL the verifier reads, `http://127.0.0.1:PORT/sigs`. */
  readonly url: string;
  /** The path of `<repository>@sha256=<hex>/signature-<n>` in `dir`. */
  file(repository: string, digest: string, index: number): string;
  stop(): Promise<void>;
}

/** Starts a read-only HTTP server on 127.0.0.1:0 for a new temporary folder (404 for anything missing). */
export async function startLookaside(): Promise<Lookaside> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-lookaside-'));
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const rel = decodeURIComponent(url.pathname.replace(/^\/sigs\//, ''));
    const file = path.resolve(dir, rel);
    if (req.method !== 'GET' || !url.pathname.startsWith('/sigs/') || !file.startsWith(dir + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (bytes) => res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(bytes),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    dir,
    url: `http://127.0.0.1:${port}/sigs`,
    file: (repository, digest, index) =>
      path.join(dir, `${repository}@${digest.replace(':', '=')}`, `signature-${index}`),
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Copies `source` to `destination` (both `host/repo:tag`, plain HTTP) with the real skopeo, signing with
 * `signer` when given: skopeo signs the destination reference and stages `signature-1` under `lookaside.dir`.
 * `useSigstoreAttachments` sets registries.d's `use-sigstore-attachments: true` as well.
 */
export async function skopeoCopy(
  source: string,
  destination: string,
  lookaside: Lookaside,
  signer?: GpgSigner,
  options: { useSigstoreAttachments?: boolean } = {},
): Promise<void> {
  const config = await mkdtemp(path.join(os.tmpdir(), 'portcullis-skopeo-'));
  try {
    await mkdir(path.join(config, 'registries.d'));
    await writeFile(
      path.join(config, 'registries.d', 'default.yaml'),
      `default-docker:\n  lookaside-staging: file://${lookaside.dir}\n` +
        (options.useSigstoreAttachments ? '  use-sigstore-attachments: true\n' : ''),
    );
    await writeFile(path.join(config, 'policy.json'), '{"default":[{"type":"insecureAcceptAnything"}]}');
    const args = [
      '--policy',
      path.join(config, 'policy.json'),
      '--registries.d',
      path.join(config, 'registries.d'),
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      ...(signer ? ['--sign-by', signer.fingerprint] : []),
      `docker://${source}`,
      `docker://${destination}`,
    ];
    await execFileP(tool('skopeo'), args, {
      timeout: TOOL_TIMEOUT_MS,
      env: { ...process.env, ...(signer ? { GNUPGHOME: signer.home } : {}) },
    });
  } finally {
    await rm(config, { recursive: true, force: true });
  }
}

/** Puts a copy of an existing lookaside file at another image's signature path (e.g. a replayed signature). */
export async function copySignature(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(from, to);
}
