/** An OCI content descriptor. Fields come from registries and are attacker-controlled until verified. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Where a repository lives. `registry` is the normalised host from ImageRef (docker.io, not registry-1). */
export interface RepositoryRef {
  readonly registry: string;
  readonly repository: string;
}

/** Credentials for one registry, as found in a docker config JSON. Never log these. */
export interface Credential {
  readonly username?: string;
  readonly password?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`). */
  readonly identityToken?: string;
  /** A bearer token to send as is (docker config `registrytoken`). */
  readonly registryToken?: string;
  /** Where the credential came from, for messages (e.g. "credential helper docker-credential-ecr-login"); never secret. */
  readonly origin?: string;
}

/** What a lookup may need: a credential helper runs a program, bounded by the request's deadline. */
export interface LookupContext {
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

/**
 * Looks up credentials by normalised registry host; the first keychain that knows the host wins. Docker config
 * `auths` answer at once; `credHelpers`/`credsStore` run a helper, so the answer may be a promise.
 */
export interface CredentialSource {
  lookup(registry: string, ctx?: LookupContext): Credential | undefined | Promise<Credential | undefined>;
}

/** Per-request inputs to every registry call. */
export interface RegistryRequestContext {
  /** Absolute deadline (epoch ms). Every timeout and retry is derived from what remains of it. */
  readonly deadline: number;
  readonly credentials: CredentialSource;
  readonly signal?: AbortSignal;
}

/** A manifest (or index) fetched by tag or digest; `bytes` hashed to `descriptor.digest`. */
export interface FetchedManifest {
  readonly descriptor: Descriptor;
  readonly bytes: Buffer;
  /** The parsed JSON; shape-check before use. */
  readonly json: unknown;
}

/** The read-only registry operations the verifiers and the engine use. Implemented by RegistryClient. */
export interface RegistryReader {
  /** Resolve a tag or digest to the manifest descriptor (HEAD, then GET when HEAD gives no digest). */
  resolve(repo: RepositoryRef, reference: string, ctx: RegistryRequestContext): Promise<Descriptor>;
  /** Fetch a manifest or index; size-limited; digest-verified when fetched by digest. */
  getManifest(repo: RepositoryRef, reference: string, ctx: RegistryRequestContext): Promise<FetchedManifest>;
  /** Referrers of `digest` (OCI 1.1 API, falling back to the `sha256-<hex>` tag index on 404). */
  listReferrers(
    repo: RepositoryRef,
    digest: string,
    ctx: RegistryRequestContext,
    options?: { artifactType?: string },
  ): Promise<Descriptor[]>;
  /** Fetch a blob, refusing more than `maxBytes`, and verifying its digest. */
  getBlob(
    repo: RepositoryRef,
    descriptor: Descriptor,
    ctx: RegistryRequestContext,
    maxBytes?: number,
  ): Promise<Buffer>;
}
