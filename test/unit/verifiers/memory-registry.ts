// Test helper: an in-memory RegistryReader over content-addressed maps, counting every call.
import { createHash } from 'node:crypto';
import { registryError } from '../../../src/registry/errors';
import type {
  Descriptor,
  FetchedManifest,
  RegistryReader,
  RegistryRequestContext,
  RepositoryRef,
} from '../../../src/registry/registry.types';

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
  private readonly where = { registry: 'memory.test', repository: 'fixture' };
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

  // count tells how many times an operation ran, to prove what was (not) fetched.
  count(operation: string): number {
    return this.calls.filter((c) => c.startsWith(`${operation} `)).length;
  }

  // resolve answers like a registry HEAD: the stored manifest's descriptor.
  async resolve(repo: RepositoryRef, reference: string): Promise<Descriptor> {
    return (await this.getManifest(repo, reference)).descriptor;
  }

  // getManifest serves by tag or digest, 404 (REGISTRY_NOT_FOUND) otherwise.
  async getManifest(
    _repo: RepositoryRef,
    reference: string,
    _ctx?: RegistryRequestContext,
  ): Promise<FetchedManifest> {
    this.record('getManifest', reference);
    const found = this.manifests.get(reference);
    if (found === undefined)
      throw registryError('REGISTRY_NOT_FOUND', this.where, `manifest ${reference} not found`);
    const descriptor = {
      mediaType: found.mediaType,
      digest: sha256Digest(found.bytes),
      size: found.bytes.length,
    };
    return { descriptor, bytes: found.bytes, json: JSON.parse(found.bytes.toString('utf8')) as unknown };
  }

  // listReferrers returns what addReferrer recorded, in order.
  async listReferrers(_repo: RepositoryRef, digest: string): Promise<Descriptor[]> {
    this.record('listReferrers', digest);
    return [...(this.referrers.get(digest) ?? [])];
  }

  // getBlob enforces maxBytes and the digest, as the real client does.
  async getBlob(
    _repo: RepositoryRef,
    descriptor: Descriptor,
    _ctx?: RegistryRequestContext,
    maxBytes?: number,
  ): Promise<Buffer> {
    this.record('getBlob', descriptor.digest);
    const bytes = this.blobs.get(descriptor.digest);
    if (bytes === undefined)
      throw registryError('REGISTRY_NOT_FOUND', this.where, `blob ${descriptor.digest} not found`);
    if (maxBytes !== undefined && bytes.length > maxBytes) {
      throw registryError('REGISTRY_BLOB_TOO_LARGE', this.where, `blob over ${maxBytes} bytes`);
    }
    if (sha256Digest(bytes) !== descriptor.digest)
      throw registryError('REGISTRY_DIGEST_MISMATCH', this.where, 'bad blob');
    return bytes;
  }

  // record logs the call and applies the injected failure.
  private record(operation: string, reference: string): void {
    this.calls.push(`${operation} ${reference}`);
    const error = this.failWith?.(operation, reference);
    if (error !== undefined) throw error;
  }
}
