// The RegistryReader the engine and verifiers use: wires transport, auth and the per-operation modules.
import type { Logger } from 'pino';
import { Authenticator } from './auth';
import { fetchBlob } from './blobs';
import { MAX_BLOB_BYTES, MAX_REGISTRY_HOSTS_REMEMBERED, NO_REFERRERS_API_TTL_MS } from './limits';
import { TtlCache } from '../ttl-cache';
import { fetchManifest, resolveManifest } from './image-manifests';
import { listReferrers } from './referrers';
import type {
  Descriptor,
  FetchedManifest,
  RegistryReader,
  RegistryRequestContext,
  RepositoryRef,
} from './registry.types';
import { Session, type RepoWhere } from './session';
import { fetchTrustData, type TrustDataReader, type TrustFile } from './trust-data';
import { fetchLookasideSignature, type LookasideFile, type LookasideReader } from './lookaside';
import { Transport, type TransportOptions } from './http/transport';

/**
 * How a RegistryClient is wired: every piece of I/O and the clock come in here (the transport's options).
 * For `insecureRegistries`, HTTPS without certificate checks is tried first and plain HTTP used when HTTPS
 * cannot connect; the scheme that worked is remembered per host. Loopback hosts may use plain HTTP too (as
 * docker allows), but their HTTPS certificates are still verified unless they are listed as insecure.
 * `onRequest` is called once per HTTP exchange (token requests and redirect hops included).
 */
export type RegistryClientOptions = TransportOptions;

/**
 * An OCI distribution client: anonymous first, then Bearer or Basic as the registry asks, with credentials
 * from the request's keychain. Bounded in time (ctx.deadline), size, redirects and retries.
 */
export class RegistryClient implements RegistryReader, TrustDataReader, LookasideReader {
  private readonly transport: Transport;
  private readonly session: Session;
  private readonly logger: Logger;
  /** Registries that answered the referrers API with 404 (or 400/405): the tag schema is used directly. */
  private readonly noReferrersApi = new TtlCache<true>(
    NO_REFERRERS_API_TTL_MS,
    MAX_REGISTRY_HOSTS_REMEMBERED,
  );

  constructor(options: RegistryClientOptions) {
    this.logger = options.logger;
    this.transport = new Transport(options);
    const now = options.now ?? Date.now;
    this.session = new Session(this.transport, new Authenticator(this.transport, now));
  }

  /** Tag or digest → manifest descriptor (HEAD, falling back to GET + sha256). */
  resolve(repo: RepositoryRef, reference: string, ctx: RegistryRequestContext): Promise<Descriptor> {
    return resolveManifest(this.session, where(repo), reference, ctx, this.logger);
  }

  /** A manifest or index, at most MAX_MANIFEST_BYTES, hashed; verified when fetched by digest. */
  getManifest(repo: RepositoryRef, reference: string, ctx: RegistryRequestContext): Promise<FetchedManifest> {
    return fetchManifest(this.session, where(repo), reference, ctx);
  }

  /** Referrers of `digest` (OCI 1.1 API, else the `sha256-<hex>` tag index), filtered by artifactType. */
  listReferrers(
    repo: RepositoryRef,
    digest: string,
    ctx: RegistryRequestContext,
    options: { artifactType?: string } = {},
  ): Promise<Descriptor[]> {
    return listReferrers(
      this.session,
      where(repo),
      digest,
      ctx,
      this.logger,
      options.artifactType,
      this.noReferrersApi,
    );
  }

  /** A blob, refused over `maxBytes` (default MAX_BLOB_BYTES), digest-verified. */
  getBlob(
    repo: RepositoryRef,
    descriptor: Descriptor,
    ctx: RegistryRequestContext,
    maxBytes = MAX_BLOB_BYTES,
  ): Promise<Buffer> {
    return fetchBlob(this.session, where(repo), descriptor, ctx, maxBytes);
  }

  /** A Notary trust-server file, with the registry's transport, limits and token auth (see trust-data.ts). */
  getTrustData(file: TrustFile, ctx: RegistryRequestContext): Promise<Buffer | undefined> {
    return fetchTrustData(this.session, file, ctx);
  }

  /** A lookaside signature file (simple signing), with the registry's transport and limits (see lookaside.ts). */
  getLookasideSignature(file: LookasideFile, ctx: RegistryRequestContext): Promise<Buffer | undefined> {
    return fetchLookasideSignature(this.session, file, ctx);
  }

  /** Closes the connection pools the client created. */
  close(): Promise<void> {
    return this.transport.close();
  }
}

// where names a repository for messages and metrics.
function where(repo: RepositoryRef): RepoWhere {
  return { registry: repo.registry, repository: repo.repository };
}
