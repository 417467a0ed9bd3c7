// Test helper: the real notation CLI with its own config folder, RSA keys from `notation cert generate-test`
// and EC keys (which generate-test cannot make) from openssl, registered in notation's signingkeys.json.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { selfSignedArgs } from '../../harness/tls';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Timeout of one notation or openssl invocation. */
export const NOTATION_TIMEOUT_MS = 90_000;

/** A notation installation with a private config folder (XDG_CONFIG_HOME). */
export interface NotationCli {
  readonly bin: string;
  readonly configHome: string;
}

/** A signing key known to notation, with its self-signed certificate (PEM). */
export interface NotationKey {
  readonly name: string;
  readonly certPem: string;
}

// env points notation at the test's config folder only.
function env(cli: NotationCli): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: cli.configHome, XDG_CONFIG_HOME: cli.configHome };
}

// run runs notation and fails with its stderr.
async function run(cli: NotationCli, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileP(cli.bin, args, { env: env(cli), timeout: NOTATION_TIMEOUT_MS });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`notation ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

/** `notation cert generate-test --bits N NAME`: an RSA key and a self-signed certificate CN=NAME. */
export async function generateRsaKey(cli: NotationCli, name: string, bits = 2048): Promise<NotationKey> {
  await run(cli, ['cert', 'generate-test', '--bits', String(bits), name]);
  const certPem = await readFile(path.join(cli.configHome, 'notation', 'localkeys', `${name}.crt`), 'utf8');
  return { name, certPem };
}

/**
 * An EC key (P-256 or P-384) with a self-signed code-signing certificate made by openssl, with the subject
 * notation gives its test certificates, added to notation's signingkeys.json.
 */
export async function generateEcKey(
  cli: NotationCli,
  name: string,
  curve: 'P-256' | 'P-384',
): Promise<NotationKey> {
  const dir = path.join(cli.configHome, 'notation', 'localkeys');
  const keyPath = path.join(dir, `${name}.key`);
  const certPath = path.join(dir, `${name}.crt`);
  await execFileP(
    'openssl',
    selfSignedArgs({
      keyFile: keyPath,
      certFile: certPath,
      curve,
      subject: `/C=US/ST=WA/L=Seattle/O=Notary/CN=${name}`,
      extensions: [
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=codeSigning',
        'basicConstraints=critical,CA:FALSE',
      ],
    }),
    { timeout: NOTATION_TIMEOUT_MS },
  );
  const file = path.join(cli.configHome, 'notation', 'signingkeys.json');
  const config = JSON.parse(await readFile(file, 'utf8')) as { keys?: unknown[] };
  config.keys = [...(config.keys ?? []), { name, keyPath, certPath }];
  await writeFile(file, JSON.stringify(config));
  return { name, certPem: await readFile(certPath, 'utf8') };
}

/** Options of one `notation sign`. */
export interface SignOptions {
  readonly format: 'jws' | 'cose';
  /** true: the OCI referrers API; false: the `sha256-<hex>` tag schema (for registries without the API). */
  readonly referrersApi: boolean;
  readonly expiry?: string;
}

/** Signs `host/repo@digest` over plain HTTP with `key`. */
export async function notationSign(
  cli: NotationCli,
  key: NotationKey,
  ref: string,
  o: SignOptions,
): Promise<void> {
  const args = [
    'sign',
    '--insecure-registry',
    '--key',
    key.name,
    '--signature-format',
    o.format,
    `--force-referrers-tag=${String(!o.referrersApi)}`,
  ];
  if (o.expiry) args.push('--expiry', o.expiry);
  await run(cli, [...args, ref]);
}
