import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { tool } from './tools';

const execFileP = promisify(execFile);

/** Timeout for one crane/tar invocation. */
export const TOOL_TIMEOUT_MS = 60_000;

/** Basic credentials for an auth-protected registry. */
export interface RegistryLogin {
  readonly username: string;
  readonly password: string;
}

export interface PushedImage {
  /** `host/repo@sha256:…` */
  readonly ref: string;
  readonly digest: string;
  /** Size in bytes of the manifest. */
  readonly size: number;
  readonly mediaType: string;
}

/** Descriptor-shaped subject for pushReferrer. */
export interface Subject {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

/**
 * Pushes a small, unique single-layer OCI image (random layer content) with the real crane, and returns its
 * manifest digest as crane computes it. Plain HTTP (`--insecure`).
 */
export async function pushRandomImage(
  host: string,
  repo: string,
  tag: string,
  login?: RegistryLogin,
): Promise<PushedImage> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-img-'));
  try {
    const env = await craneEnv(dir, host, login);
    await mkdir(path.join(dir, 'root'));
    await writeFile(path.join(dir, 'root', 'random.bin'), randomBytes(512));
    const layer = path.join(dir, 'layer.tgz');
    await execFileP('tar', ['-czf', layer, '-C', path.join(dir, 'root'), '.'], { timeout: TOOL_TIMEOUT_MS });
    const target = `${host}/${repo}:${tag}`;
    await crane(['append', '--insecure', '--oci-empty-base', '-f', layer, '-t', target], env);
    const manifest = await crane(['manifest', '--insecure', target], env);
    const bytes = Buffer.from(manifest, 'utf8');
    const digest = (await crane(['digest', '--insecure', target], env)).trim();
    const computed = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (computed !== digest) throw new Error(`crane digest ${digest} != sha256 of manifest ${computed}`);
    const mediaType =
      (JSON.parse(manifest) as { mediaType?: string }).mediaType ??
      'application/vnd.oci.image.manifest.v1+json';
    return { ref: `${host}/${repo}@${digest}`, digest, size: bytes.length, mediaType };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Points `tag` at an existing manifest (for "tag moved" tests), with `crane tag`. */
export async function retag(
  host: string,
  repo: string,
  fromDigest: string,
  tag: string,
  login?: RegistryLogin,
): Promise<void> {
  await craneOnce(host, ['tag', '--insecure', `${host}/${repo}@${fromDigest}`, tag], login);
}

/** Copies a manifest and its blobs to another reference, digest unchanged, with `crane copy` (plain HTTP). */
export async function copyReference(
  host: string,
  from: string,
  to: string,
  login?: RegistryLogin,
): Promise<void> {
  await craneOnce(host, ['copy', '--insecure', `${host}/${from}`, `${host}/${to}`], login);
}

// craneOnce runs one crane command with its own throwaway DOCKER_CONFIG for `host`.
async function craneOnce(host: string, args: string[], login?: RegistryLogin): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-crane-'));
  try {
    await crane(args, await craneEnv(dir, host, login));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Pushes a tiny OCI artifact manifest whose `subject` is `subject`, over plain HTTP with fetch.
 * With `fallbackTag`, also adds it to the `sha256-<hex>` tag index, as clients do for registries without the
 * referrers API. Returns the artifact manifest's descriptor.
 */
export async function pushReferrer(
  host: string,
  repo: string,
  subject: Subject,
  artifactType: string,
  options: { fallbackTag?: boolean; login?: RegistryLogin; annotations?: Record<string, string> } = {},
): Promise<PushedImage> {
  const headers: Record<string, string> = {};
  if (options.login) {
    headers.authorization = `Basic ${Buffer.from(`${options.login.username}:${options.login.password}`).toString('base64')}`;
  }
  const empty = Buffer.from('{}');
  const payload = randomBytes(64);
  const emptyDigest = await pushBlob(host, repo, empty, headers);
  const payloadDigest = await pushBlob(host, repo, payload, headers);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: empty.length },
    layers: [{ mediaType: 'application/octet-stream', digest: payloadDigest, size: payload.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: options.annotations ?? { 'org.example.nonce': randomBytes(4).toString('hex') },
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(bytes);
  await putManifest(host, repo, digest, bytes, manifest.mediaType, headers);
  const pushed = {
    ref: `${host}/${repo}@${digest}`,
    digest,
    size: bytes.length,
    mediaType: manifest.mediaType,
  };
  if (options.fallbackTag)
    await addToFallbackIndex(host, repo, subject.digest, { ...pushed, artifactType }, headers);
  return pushed;
}

// addToFallbackIndex reads the sha256-<hex> tag index (if any), appends the descriptor and puts it back.
async function addToFallbackIndex(
  host: string,
  repo: string,
  subjectDigest: string,
  desc: PushedImage & { artifactType: string },
  headers: Record<string, string>,
): Promise<void> {
  const tag = subjectDigest.replace(':', '-');
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    headers: { ...headers, accept: 'application/vnd.oci.image.index.v1+json' },
  });
  let index: { manifests: unknown[] } = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [],
  } as { manifests: unknown[] };
  if (res.status === 200) index = (await res.json()) as { manifests: unknown[] };
  else await res.arrayBuffer();
  index.manifests.push({
    mediaType: desc.mediaType,
    digest: desc.digest,
    size: desc.size,
    artifactType: desc.artifactType,
  });
  await putManifest(
    host,
    repo,
    tag,
    Buffer.from(JSON.stringify(index)),
    'application/vnd.oci.image.index.v1+json',
    headers,
  );
}

// pushBlob does a monolithic upload (POST then PUT ?digest=) and returns the digest.
async function pushBlob(
  host: string,
  repo: string,
  bytes: Buffer,
  headers: Record<string, string>,
): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers });
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (start.status !== 202 || location === null) throw new Error(`blob upload start: ${start.status}`);
  const url = new URL(location, `http://${host}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`blob upload: ${put.status}`);
  return digest;
}

// putManifest uploads a manifest under a tag or digest.
async function putManifest(
  host: string,
  repo: string,
  reference: string,
  bytes: Buffer,
  mediaType: string,
  headers: Record<string, string>,
): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': mediaType },
    body: bytes,
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`manifest put ${reference}: ${res.status} ${text}`);
}

// sha256 formats a digest string.
function sha256(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

// craneEnv gives crane its own DOCKER_CONFIG, holding credentials for `host` when a login is given.
async function craneEnv(dir: string, host: string, login?: RegistryLogin): Promise<NodeJS.ProcessEnv> {
  const configDir = path.join(dir, 'docker');
  await mkdir(configDir, { recursive: true });
  const auths = login
    ? { [host]: { auth: Buffer.from(`${login.username}:${login.password}`).toString('base64') } }
    : {};
  await writeFile(path.join(configDir, 'config.json'), JSON.stringify({ auths }));
  return { ...process.env, DOCKER_CONFIG: configDir };
}

// crane runs the real crane binary with a timeout and no shell.
async function crane(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await execFileP(tool('crane'), args, {
    env,
    timeout: TOOL_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}
