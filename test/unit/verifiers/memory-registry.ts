// Test helper: an in-memory RegistryReader over content-addressed maps, counting every call.
import { createHash } from 'node:crypto';
import { PortcullisError } from '../../../src/errors';
import type {
  Descriptor,
  FetchedManifest,
  RegistryReader,
  RegistryRequestContext,
  RepositoryRef,
} from '../../../src/registry/registry.types';

/** The code the real RegistryClient uses for a 404. */
export const NOT_FOUND_CODE = 'REGISTRY_NOT_FOUND';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

// sha256Digest names bytes the way registries do.
export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class MemoryRegistry implements RegistryReader {
  readonly manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  readonly blobs = new Map<string, Buffer>();
  readonly referrers = new Map<string, Descriptor[]>();
  readonly calls: string[] = [];
  /** When set, called before every operation; a returned error is thrown. */
  failWith?: (operation: string, reference: string) => Error | undefined;

  /** Stores a manifest under its digest and, optionally, a tag. */
  putManifest(json: unknown, tag?: string, raw?: Buffer): Descriptor {
    const bytes = raw ?? Buffer.from(JSON.stringify(json));
    const mediaType = (json as { mediaType?: string }).mediaType ?? OCI_MANIFEST;
    const digest = sha256Digest(bytes);
    this.manifests.set(digest, { bytes, mediaType });
    if (tag !== undefined) this.manifests.set(tag, { bytes, mediaType });
    return { mediaType, digest, size: bytes.length };
  }

  /** Stores a blob and returns its descriptor. */
  putBlob(bytes: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor {
    const digest = sha256Digest(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
  }

  /** Lists `descriptor` among the referrers of `subject`. */
  addReferrer(subject: string, descriptor: Descriptor): void {
    this.referrers.set(subject, [...(this.referrers.get(subject) ?? []), descriptor]);
  }

  count(operation: string): number {
    return this.calls.filter((c) => c.startsWith(`${operation} `)).length;
  }

  async resolve(repo: RepositoryRef, reference: string): Promise<Descriptor> {
    return (await this.getManifest(repo, reference)).descriptor;
  }

  async getManifest(_repo: RepositoryRef, reference: string, _ctx?: RegistryRequestContext): Promise<FetchedManifest> {
    this.record('getManifest', reference);
    const found = this.manifests.get(reference);
    if (found === undefined) throw new PortcullisError(NOT_FOUND_CODE, `manifest ${reference} not found`);
    const descriptor = { mediaType: found.mediaType, digest: sha256Digest(found.bytes), size: found.bytes.length };
    return { descriptor, bytes: found.bytes, json: JSON.parse(found.bytes.toString('utf8')) as unknown };
  }

  async listReferrers(_repo: RepositoryRef, digest: string): Promise<Descriptor[]> {
    this.record('listReferrers', digest);
    return [...(this.referrers.get(digest) ?? [])];
  }

  async getBlob(
    _repo: RepositoryRef,
    descriptor: Descriptor,
    _ctx?: RegistryRequestContext,
    maxBytes?: number,
  ): Promise<Buffer> {
    this.record('getBlob', descriptor.digest);
    const bytes = this.blobs.get(descriptor.digest);
    if (bytes === undefined) throw new PortcullisError(NOT_FOUND_CODE, `blob ${descriptor.digest} not found`);
    if (maxBytes !== undefined && bytes.length > maxBytes) {
      throw new PortcullisError('REGISTRY_TOO_LARGE', `blob over ${maxBytes} bytes`);
    }
    if (sha256Digest(bytes) !== descriptor.digest) throw new PortcullisError('REGISTRY_DIGEST_MISMATCH', 'bad blob');
    return bytes;
  }

  // record logs the call and applies the injected failure.
  private record(operation: string, reference: string): void {
    this.calls.push(`${operation} ${reference}`);
    const error = this.failWith?.(operation, reference);
    if (error !== undefined) throw error;
  }
}
