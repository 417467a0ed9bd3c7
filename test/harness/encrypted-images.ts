import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TOOL_TIMEOUT_MS, type PushedImage } from './images';
import { tool } from './tools';

const execFileP = promisify(execFile);

/** An RSA key pair for ocicrypt's JWE scheme, written as PEM files in a fresh temporary folder. */
export interface JweKeyPair {
  readonly publicKeyPath: string;
  readonly privateKeyPath: string;
}

/** Generates an RSA-2048 key pair for `skopeo copy --encryption-key jwe:<public.pem>`. */
export async function generateJweKeyPair(): Promise<JweKeyPair> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-jwe-'));
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyPath = path.join(dir, 'public.pem');
  const privateKeyPath = path.join(dir, 'private.pem');
  await writeFile(publicKeyPath, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(privateKeyPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return { publicKeyPath, privateKeyPath };
}

// skopeo runs the real skopeo against plain-HTTP test registries, with no signature policy of its own.
async function skopeo(args: string[]): Promise<string> {
  const { stdout } = await execFileP(tool('skopeo'), ['--insecure-policy', ...args], {
    timeout: TOOL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Copies `host/repo:fromTag` to `host/repo:toTag` with every layer encrypted by the real skopeo (ocicrypt,
 * JWE), and returns the encrypted image's manifest digest.
 */
export async function encryptImage(
  host: string,
  repo: string,
  fromTag: string,
  toTag: string,
  key: JweKeyPair,
): Promise<PushedImage> {
  const digestFile = path.join(path.dirname(key.publicKeyPath), `${toTag}.digest`);
  await skopeo([
    'copy',
    '--digestfile',
    digestFile,
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--encryption-key',
    `jwe:${key.publicKeyPath}`,
    `docker://${host}/${repo}:${fromTag}`,
    `docker://${host}/${repo}:${toTag}`,
  ]);
  const digest = (await readFile(digestFile, 'utf8')).trim();
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${host}/${repo}@${digest}`]);
  const mediaType =
    (JSON.parse(raw) as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  return { ref: `${host}/${repo}@${digest}`, digest, size: raw.trimEnd().length, mediaType };
}

/** The layer media types of a manifest, read with skopeo (to check the test images are what they claim). */
export async function layerMediaTypes(host: string, repo: string, digest: string): Promise<string[]> {
  const raw = await skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${host}/${repo}@${digest}`]);
  return ((JSON.parse(raw) as { layers?: { mediaType: string }[] }).layers ?? []).map((l) => l.mediaType);
}
