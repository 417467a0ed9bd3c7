// Test helper: read and write raw OCI objects over plain HTTP, to build tampered or copied signatures.
import { createHash } from 'node:crypto';
import type { Subject } from '../../harness/images';

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Manifest {
  readonly mediaType?: string;
  readonly layers: {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
  }[];
  readonly manifests?: { digest: string; artifactType?: string }[];
  readonly [key: string]: unknown;
}

// sha256 names bytes.
export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** GETs a manifest or index by tag or digest. */
export async function getManifest(host: string, repo: string, reference: string): Promise<Manifest> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, {
    headers: { accept: ACCEPT },
  });
  if (!res.ok) throw new Error(`GET manifest ${reference}: HTTP ${res.status}`);
  return (await res.json()) as Manifest;
}

/** GETs a blob. */
export async function getBlob(host: string, repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
  if (!res.ok) throw new Error(`GET blob ${digest}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Uploads a blob (monolithic POST + PUT) and returns its digest. */
export async function putBlob(host: string, repo: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`POST upload: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (put.status !== 201) throw new Error(`PUT blob: HTTP ${put.status}`);
  return digest;
}

/** PUTs a manifest under `reference` (tag or its digest) and returns its digest. */
export async function putManifest(
  host: string,
  repo: string,
  reference: string | undefined,
  manifest: unknown,
): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(bytes);
  const mediaType =
    (manifest as { mediaType?: string }).mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${reference ?? digest}`, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': mediaType },
  });
  if (res.status !== 201) throw new Error(`PUT manifest: HTTP ${res.status} ${await res.text()}`);
  return digest;
}

/** DELETEs a manifest by digest. */
export async function deleteManifest(host: string, repo: string, digest: string): Promise<void> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${digest}`, { method: 'DELETE' });
  if (res.status !== 202) throw new Error(`DELETE manifest: HTTP ${res.status}`);
}

/** The digests of the referrers of `digest` (referrers API). */
export async function listReferrerDigests(host: string, repo: string, digest: string): Promise<string[]> {
  const res = await fetch(`http://${host}/v2/${repo}/referrers/${digest}`, {
    headers: { accept: 'application/vnd.oci.image.index.v1+json' },
  });
  if (!res.ok) throw new Error(`GET referrers: HTTP ${res.status}`);
  const index = (await res.json()) as { manifests: { digest: string }[] };
  return index.manifests.map((m) => m.digest);
}

/** The tag of cosign v2's legacy signature (`.sig`) or attestation (`.att`) of `digest`. */
export function sigTag(digest: string, suffix: 'sig' | 'att' = 'sig'): string {
  return `${digest.replace(':', '-')}.${suffix}`;
}

/** Reads the single bundle referrer of `digest`: its manifest and its bundle JSON. */
export async function bundleOf(
  host: string,
  repo: string,
  digest: string,
): Promise<{ digest: string; manifest: Manifest; bundle: Record<string, unknown> }> {
  const [referrer] = await listReferrerDigests(host, repo, digest);
  if (referrer === undefined) throw new Error('cosign pushed no referrer');
  const manifest = await getManifest(host, repo, referrer);
  const layer = manifest.layers[0] as Manifest['layers'][number];
  const bundle = JSON.parse((await getBlob(host, repo, layer.digest)).toString('utf8')) as Record<
    string,
    unknown
  >;
  return { digest: referrer, manifest, bundle };
}

/** Stores `bundle` as a new referrer manifest of `subject`, modelled on `template`; returns the manifest digest. */
export async function pushBundleReferrer(
  host: string,
  repo: string,
  template: Manifest,
  bundle: unknown,
  subject: Subject,
): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(bundle));
  const layerDigest = await putBlob(host, repo, bytes);
  const layer = {
    ...(template.layers[0] as Manifest['layers'][number]),
    digest: layerDigest,
    size: bytes.length,
  };
  const subjectDesc = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  return putManifest(host, repo, undefined, { ...template, layers: [layer], subject: subjectDesc });
}
