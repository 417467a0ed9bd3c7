// Test helper: drive the real cosign (v3) and cosign2 (v2) binaries with key files, fully offline.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Timeout for one cosign invocation. */
export const COSIGN_TIMEOUT_MS = 90_000;

export type CosignKeyType = 'p256' | 'p384' | 'p521' | 'rsa2048' | 'rsa4096' | 'ed25519';

export interface CosignKey {
  readonly type: CosignKeyType;
  /** cosign's encrypted private key file. */
  readonly keyFile: string;
  /** PEM public key, as a policy would hold it. */
  readonly publicPem: string;
}

/** Password of every generated key file; a test value, never a secret. */
const PASSWORD = 'portcullis-test';

// cosignEnv keeps cosign off the network and out of the user's home.
function cosignEnv(dir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    HOME: dir,
    COSIGN_PASSWORD: PASSWORD,
    COSIGN_YES: 'true',
    TUF_ROOT: path.join(dir, 'tuf'),
    SIGSTORE_NO_CACHE: 'true',
  };
}

// run executes one cosign binary and returns stdout, with stderr in the error on failure.
async function run(bin: string, args: string[], dir: string): Promise<string> {
  try {
    const { stdout } = await execFileP(bin, args, {
      cwd: dir,
      env: cosignEnv(dir),
      timeout: COSIGN_TIMEOUT_MS,
    });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/**
 * Makes a key pair of `type` in `dir`: P-256 with `cosign generate-key-pair`, the others as PEM from node:crypto
 * imported with `cosign import-key-pair`.
 */
export async function makeCosignKey(cosign: string, dir: string, type: CosignKeyType): Promise<CosignKey> {
  const prefix = path.join(dir, type);
  if (type === 'p256') {
    await run(cosign, ['generate-key-pair', '--output-key-prefix', prefix], dir);
  } else {
    const pem = path.join(dir, `${type}.pem`);
    await writeFile(pem, privatePem(type), { mode: 0o600 });
    await run(cosign, ['import-key-pair', '--key', pem, '--output-key-prefix', prefix, '-y'], dir);
  }
  return { type, keyFile: `${prefix}.key`, publicPem: await readFile(`${prefix}.pub`, 'utf8') };
}

// privatePem generates a PKCS#8 PEM private key of a type cosign can import.
function privatePem(type: Exclude<CosignKeyType, 'p256'>): string {
  const pair =
    type === 'p384' || type === 'p521'
      ? generateKeyPairSync('ec', { namedCurve: type === 'p384' ? 'P-384' : 'P-521' })
      : type === 'ed25519'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: type === 'rsa2048' ? 2048 : 4096 });
  return pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** cosign v3 default: a sigstore bundle pushed as an OCI referrer; no Rekor, no TUF. */
export async function signV3(cosign: string, dir: string, key: CosignKey, imageRef: string): Promise<void> {
  await run(cosign, ['sign', '--key', key.keyFile, ...V3_OFFLINE, imageRef], dir);
}

/** cosign v2: legacy simple-signing layer under `sha256-<hex>.sig`; no Rekor. */
export async function signV2(cosign2: string, dir: string, key: CosignKey, imageRef: string): Promise<void> {
  await run(
    cosign2,
    ['sign', '--key', key.keyFile, '--tlog-upload=false', '--allow-http-registry', '-y', imageRef],
    dir,
  );
}

/** cosign v3 attestation (`--type custom`): a bundle referrer with another predicateType. */
export async function attestV3(cosign: string, dir: string, key: CosignKey, imageRef: string): Promise<void> {
  const predicate = path.join(dir, 'predicate.json');
  await writeFile(predicate, '{"built-by":"portcullis-test"}');
  await run(
    cosign,
    ['attest', '--key', key.keyFile, '--predicate', predicate, '--type', 'custom', ...V3_OFFLINE, imageRef],
    dir,
  );
}

/** cosign v2 attestation: a DSSE envelope under `sha256-<hex>.att`. */
export async function attestV2(
  cosign2: string,
  dir: string,
  key: CosignKey,
  imageRef: string,
): Promise<void> {
  const predicate = path.join(dir, 'predicate.json');
  await writeFile(predicate, '{"built-by":"portcullis-test"}');
  await run(
    cosign2,
    [
      'attest',
      '--key',
      key.keyFile,
      '--predicate',
      predicate,
      '--type',
      'custom',
      '--tlog-upload=false',
      '--allow-http-registry',
      '-y',
      imageRef,
    ],
    dir,
  );
}

/** cosign v3 needs both flags to sign without a signing config (TUF) and without Rekor. */
const V3_OFFLINE = ['--tlog-upload=false', '--use-signing-config=false', '--allow-http-registry', '-y'];
