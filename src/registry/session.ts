// One authorised registry call: anonymous (or cached auth) first, answer a 401 challenge once, map statuses.
import { Authenticator, unauthorized, type AuthRequest } from './auth';
import {
  describeWhere,
  quoteRegistryText,
  registryError,
  type RegistryErrorCode,
  type RegistryWhere,
} from './errors';
import type { RegistryRequestContext } from './registry.types';
import type { Transport, TransportResponse } from './http/transport';

/** What to fetch from a repository's API. */
export interface FetchSpec {
  readonly method: 'GET' | 'HEAD';
  readonly path: string;
  readonly accept?: string;
  readonly what: string;
  readonly maxBytes: number;
  readonly tooLargeCode: RegistryErrorCode;
  readonly hash?: 'sha256' | 'sha512';
  /** Send to this base URL + `path` instead of the registry's API host (a Notary trust server). */
  readonly base?: URL;
}

/** A repository and where messages say it is. */
export type RepoWhere = RegistryWhere & { readonly repository: string };

/** The authorised-fetch capability that manifests.ts, referrers.ts and blobs.ts build on. */
export interface RegistryFetcher {
  /** Sends `spec` with authorisation; resolves with any status except 401/403 (thrown as REGISTRY_UNAUTHORIZED). */
  fetch(where: RepoWhere, spec: FetchSpec, ctx: RegistryRequestContext): Promise<TransportResponse>;
}

/** Implements RegistryFetcher over a Transport and an Authenticator. */
export class Session implements RegistryFetcher {
  constructor(
    private readonly transport: Transport,
    private readonly auth: Authenticator,
  ) {}

  async fetch(where: RepoWhere, spec: FetchSpec, ctx: RegistryRequestContext): Promise<TransportResponse> {
    const authReq: AuthRequest = {
      where,
      credential: await ctx.credentials.lookup(where.registry, {
        deadline: ctx.deadline,
        ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      }),
      deadline: ctx.deadline,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    };
    const preemptive = this.auth.preemptive(authReq);
    let res = await this.send(where, spec, ctx, preemptive);
    if (res.status === 401) {
      if (preemptive !== undefined) this.auth.forget(authReq);
      const header = await this.auth.answer(authReq, res.headers['www-authenticate']);
      res = await this.send(where, spec, ctx, header);
      if (res.status === 401) {
        this.auth.forget(authReq);
        throw unauthorized(where, authReq.credential !== undefined, undefined, authReq.credential?.origin);
      }
    }
    if (res.status === 403)
      throw unauthorized(where, authReq.credential !== undefined, undefined, authReq.credential?.origin);
    return res;
  }

  // send is one transport request with the given Authorization (if any).
  private send(
    where: RepoWhere,
    spec: FetchSpec,
    ctx: RegistryRequestContext,
    authorization?: string,
  ): Promise<TransportResponse> {
    const headers: Record<string, string> = {};
    if (spec.accept !== undefined) headers.accept = spec.accept;
    if (authorization !== undefined) headers.authorization = authorization;
    return this.transport.request({
      method: spec.method,
      target:
        spec.base === undefined
          ? { registry: where.registry, path: spec.path }
          : { url: new URL(`${spec.base.href.replace(/\/+$/, '')}${spec.path}`) },
      headers,
      where,
      what: spec.what,
      deadline: ctx.deadline,
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
      maxBytes: spec.maxBytes,
      tooLargeCode: spec.tooLargeCode,
      ...(spec.hash === undefined ? {} : { hash: spec.hash }),
    });
  }
}

/** Maps a status we did not expect to an error: 404 → REGISTRY_NOT_FOUND, else REGISTRY_BAD_RESPONSE. */
export function unexpectedStatus(where: RegistryWhere, what: string, res: TransportResponse) {
  const code = registryErrorCodeIn(res.bytes);
  const said = code === undefined ? '' : ` (${quoteRegistryText(code)})`;
  if (res.status === 404) {
    return registryError(
      'REGISTRY_NOT_FOUND',
      where,
      `${describeWhere(where)}: ${what} not found${said}; check the image name, tag and digest`,
      { details: { status: 404 } },
    );
  }
  return registryError(
    'REGISTRY_BAD_RESPONSE',
    where,
    `${describeWhere(where)}: unexpected HTTP ${res.status} for ${what}${said}`,
    { details: { status: res.status } },
  );
}

// registryErrorCodeIn reads `errors[0].code` from a distribution error body, if it has one.
function registryErrorCodeIn(bytes: Buffer): string | undefined {
  try {
    const body = JSON.parse(bytes.toString('utf8')) as { errors?: { code?: unknown }[] };
    const code = Array.isArray(body.errors) ? body.errors[0]?.code : undefined;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
