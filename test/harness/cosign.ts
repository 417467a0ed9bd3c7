import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { tool } from './tools';

const run = promisify(execFile);

/** Password of every test key (cosign encrypts private keys). */
export const COSIGN_TEST_PASSWORD = 'portcullis-test';
/** Timeout for one cosign invocation. */
export const COSIGN_TIMEOUT_MS = 60_000;

/** A cosign key pair on disk, and its public key PEM for policies. */
export interface CosignKey {
  readonly privateKeyPath: string;
  readonly publicKeyPem: string;
}

// env gives cosign its key password and answers its prompts.
function env(): NodeJS.ProcessEnv {
  return { ...process.env, COSIGN_PASSWORD: COSIGN_TEST_PASSWORD, COSIGN_YES: 'true' };
}

/** Generates an ECDSA P-256 key pair with the real `cosign generate-key-pair`. */
export async function generateCosignKey(): Promise<CosignKey> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-key-'));
  const prefix = path.join(dir, 'cosign');
  await run(tool('cosign'), ['generate-key-pair', '--output-key-prefix', prefix], {
    env: env(),
    timeout: COSIGN_TIMEOUT_MS,
  });
  return { privateKeyPath: `${prefix}.key`, publicKeyPem: await readFile(`${prefix}.pub`, 'utf8') };
}

/** Imports a PEM private key (RSA, ECDSA P-256/384/521, Ed25519) with `cosign import-key-pair`. */
export async function importCosignKey(privatePem: string): Promise<CosignKey> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-import-'));
  const pem = path.join(dir, 'in.pem');
  await writeFile(pem, privatePem, { mode: 0o600 });
  const prefix = path.join(dir, 'imported');
  await run(tool('cosign'), ['import-key-pair', '--key', pem, '--output-key-prefix', prefix], {
    env: env(),
    timeout: COSIGN_TIMEOUT_MS,
  });
  return { privateKeyPath: `${prefix}.key`, publicKeyPem: await readFile(`${prefix}.pub`, 'utf8') };
}

/**
 * Signs `ref` (host/repo@sha256:…) offline, with no transparency log.
 * `v3`: cosign v3's default, a sigstore bundle pushed as an OCI referrer (or the sha256-<hex> tag index).
 * `legacy`: cosign v2's simple-signing layer under the sha256-<hex>.sig tag.
 */
export async function cosignSign(
  key: CosignKey,
  ref: string,
  format: 'v3' | 'legacy',
  login?: { host: string; username: string; password: string },
): Promise<void> {
  const environment = env();
  if (login) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-login-'));
    const auth = Buffer.from(`${login.username}:${login.password}`).toString('base64');
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ auths: { [login.host]: { auth } } }), {
      mode: 0o600,
    });
    environment.DOCKER_CONFIG = dir;
  }
  const common = [
    'sign',
    '--key',
    key.privateKeyPath,
    '--tlog-upload=false',
    '--allow-insecure-registry',
    '-y',
  ];
  const args =
    format === 'v3'
      ? [...common, '--use-signing-config=false', '--allow-http-registry', ref]
      : [...common, ref];
  await run(tool(format === 'v3' ? 'cosign' : 'cosign2'), args, {
    env: environment,
    timeout: COSIGN_TIMEOUT_MS,
  });
}

/**
 * Attests `ref` (host/repo@sha256:…) offline with `key` and no transparency log, as cosign v3 does by default
 * (a sigstore bundle of a DSSE in-toto statement): `type` is cosign's `--type` (e.g. `spdxjson`).
 */
export async function cosignAttest(
  key: CosignKey,
  ref: string,
  type: string,
  predicate: unknown,
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-cosign-attest-'));
  const file = path.join(dir, 'predicate.json');
  await writeFile(file, JSON.stringify(predicate));
  const args = [
    'attest',
    '--key',
    key.privateKeyPath,
    '--predicate',
    file,
    '--type',
    type,
    '--tlog-upload=false',
  ];
  await run(
    tool('cosign'),
    [...args, '--use-signing-config=false', '--allow-insecure-registry', '--allow-http-registry', '-y', ref],
    { env: env(), timeout: COSIGN_TIMEOUT_MS },
  );
}
