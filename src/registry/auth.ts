// Turns a registry's 401 challenge into an Authorization header: Bearer tokens (cached) or Basic credentials.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { registryApiHost } from '../reference/format';
import { describeWhere, quoteRegistryText, registryError, RegistryError, type RegistryWhere } from './errors';
import { realmProblem } from './hosts';
import {
  DEFAULT_TOKEN_TTL_SECONDS,
  MAX_CACHED_TOKENS,
  MAX_TOKEN_RESPONSE_BYTES,
  MAX_WWW_AUTHENTICATE_CHARS,
  TOKEN_EXPIRY_MARGIN_MS,
} from './limits';
import type { Credential } from './registry.types';
import type { Transport } from './http/transport';
import { parseWwwAuthenticate, type Challenge } from './www-authenticate';

/** Longest token lifetime we cache, whatever `expires_in` says. */
export const MAX_TOKEN_TTL_SECONDS = 24 * 60 * 60;

/** Client id sent with OAuth2 refresh-token grants (as docker sends "docker"). */
export const OAUTH_CLIENT_ID = 'portcullis';

/** The per-request facts the authenticator needs. */
export interface AuthRequest {
  readonly where: RegistryWhere & { readonly repository: string };
  readonly credential: Credential | undefined;
  readonly deadline: number;
  readonly signal?: AbortSignal;
}

type Known = { kind: 'basic' } | { kind: 'bearer' };

/** Obtains and caches authorisation per (registry, scope, credential); never logs or quotes secrets. */
export class Authenticator {
  // Bounded by lru-cache; each token's own expiry is checked against the injected clock.
  private readonly tokens = new LRUCache<string, { header: string; expires: number }>({
    max: MAX_CACHED_TOKENS,
  });
  private readonly schemes = new Map<string, Known>();

  constructor(
    private readonly transport: Transport,
    private readonly now: () => number,
  ) {}

  /** The header to send before any challenge, when an earlier exchange taught us what this registry wants. */
  preemptive(req: AuthRequest): string | undefined {
    const known = this.schemes.get(req.where.registry);
    if (known?.kind === 'basic') return basicHeader(req.credential);
    if (known?.kind !== 'bearer') return undefined;
    const key = tokenKey(req);
    const hit = this.tokens.get(key);
    if (hit === undefined) return undefined;
    if (hit.expires > this.now()) return hit.header;
    this.tokens.delete(key);
    return undefined;
  }

  /**
   * Answers a 401 challenge (attacker-controlled header): fetches a fresh Bearer token, or returns Basic
   * credentials. Throws REGISTRY_UNAUTHORIZED when the registry needs credentials we do not have.
   */
  async answer(req: AuthRequest, header: string | string[] | undefined): Promise<string> {
    const raw = Array.isArray(header) ? header.join(', ') : (header ?? '');
    if (raw.length > MAX_WWW_AUTHENTICATE_CHARS) {
      throw registryError(
        'REGISTRY_BAD_RESPONSE',
        req.where,
        `${describeWhere(req.where)}: the WWW-Authenticate header is over ${MAX_WWW_AUTHENTICATE_CHARS} characters; refusing to parse it`,
      );
    }
    const challenges = parseWwwAuthenticate(raw);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.has('realm'));
    if (bearer !== undefined) {
      this.schemes.set(req.where.registry, { kind: 'bearer' });
      return this.bearer(req, bearer);
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      this.schemes.set(req.where.registry, { kind: 'basic' });
      const basic = basicHeader(req.credential);
      if (basic === undefined) throw unauthorized(req.where, false);
      return basic;
    }
    const schemes = challenges.map((c) => c.scheme).join(', ') || 'none';
    throw registryError(
      'REGISTRY_UNAUTHORIZED',
      req.where,
      `${describeWhere(req.where)}: the registry asks for authentication with an unsupported scheme (${quoteRegistryText(schemes)}); only Bearer and Basic are supported`,
    );
  }

  /** Forgets a cached token that the registry refused. */
  forget(req: AuthRequest): void {
    this.tokens.delete(tokenKey(req));
  }

  // bearer exchanges credentials (or nothing) for a token at the realm, after checking the realm may get them.
  private async bearer(req: AuthRequest, challenge: Challenge): Promise<string> {
    const cred = req.credential;
    if (cred?.registryToken !== undefined) {
      if (!/^[\x21-\x7e]+$/.test(cred.registryToken)) {
        throw registryError(
          'REGISTRY_CREDENTIALS_INVALID',
          req.where,
          `the registrytoken for ${req.where.registry} in the pull secret has characters a token cannot have`,
        );
      }
      return `Bearer ${cred.registryToken}`;
    }
    let realm: URL;
    try {
      realm = new URL(challenge.params.get('realm') ?? '');
    } catch {
      throw registryError(
        'REGISTRY_BAD_RESPONSE',
        req.where,
        `${describeWhere(req.where)}: the token realm in WWW-Authenticate is not a URL`,
      );
    }
    const problem = realmProblem(realm, registryApiHost(req.where.registry), this.transport.insecure);
    if (problem !== undefined) {
      throw registryError(
        'REGISTRY_AUTH_REALM_REFUSED',
        req.where,
        `${describeWhere(req.where)}: refused the token realm ${realm.protocol}//${realm.host}: ${problem}`,
        { details: { realmHost: realm.host } },
      );
    }
    const scope = `repository:${req.where.repository}:pull`;
    const service = challenge.params.get('service');
    const res =
      cred?.identityToken !== undefined
        ? await this.refreshGrant(req, realm, service, scope, cred.identityToken)
        : await this.tokenGet(req, realm, service, scope);
    if (res.status === 401 || res.status === 403)
      throw unauthorized(req.where, hasSecret(cred), 'the token server', cred?.origin);
    if (res.status !== 200) {
      throw registryError(
        'REGISTRY_BAD_RESPONSE',
        req.where,
        `${describeWhere(req.where)}: the token server ${realm.host} answered HTTP ${res.status}`,
        { details: { status: res.status } },
      );
    }
    const { token, ttlSeconds } = parseTokenResponse(res.bytes, req.where);
    const header = `Bearer ${token}`;
    const ttlMs = ttlSeconds * 1000 - TOKEN_EXPIRY_MARGIN_MS;
    if (ttlMs > 0) this.remember(tokenKey(req), header, this.now() + ttlMs);
    return header;
  }

  // tokenGet is the Docker token spec's GET, with Basic credentials when we have them.
  private tokenGet(req: AuthRequest, realm: URL, service: string | undefined, scope: string) {
    const url = new URL(realm);
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.append('scope', scope);
    const basic = basicHeader(req.credential);
    return this.transport.request({
      method: 'GET',
      target: { url },
      headers: { accept: 'application/json', ...(basic === undefined ? {} : { authorization: basic }) },
      ...this.common(req),
    });
  }

  // refreshGrant is the OAuth2 POST docker uses when the config holds an identity (refresh) token.
  private refreshGrant(
    req: AuthRequest,
    realm: URL,
    service: string | undefined,
    scope: string,
    refreshToken: string,
  ) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: OAUTH_CLIENT_ID,
      scope,
    });
    if (service !== undefined) form.set('service', service);
    return this.transport.request({
      method: 'POST',
      target: { url: realm },
      headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      ...this.common(req),
    });
  }

  // common holds the fields every token request shares.
  private common(req: AuthRequest) {
    return {
      where: req.where,
      what: 'a token',
      deadline: req.deadline,
      ...(req.signal === undefined ? {} : { signal: req.signal }),
      maxBytes: MAX_TOKEN_RESPONSE_BYTES,
      tooLargeCode: 'REGISTRY_BAD_RESPONSE' as const,
    };
  }

  // remember caches a token; lru-cache evicts the least recently used one when the cache is full.
  private remember(key: string, header: string, expires: number): void {
    this.tokens.set(key, { header, expires });
  }
}

/** Reads `token` or `access_token` and `expires_in` from a token response (attacker-controlled JSON). */
export function parseTokenResponse(
  bytes: Buffer,
  where: RegistryWhere,
): { token: string; ttlSeconds: number } {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${describeWhere(where)}: the token server's answer is not JSON`,
    );
  }
  const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const token = [obj.token, obj.access_token].find((t): t is string => typeof t === 'string' && t !== '');
  // A token goes into a header: refuse control characters that could split it.
  if (token === undefined || !/^[\x21-\x7e]+$/.test(token)) {
    throw registryError(
      'REGISTRY_BAD_RESPONSE',
      where,
      `${describeWhere(where)}: the token server's answer has no usable token`,
    );
  }
  const e = obj.expires_in;
  const ttl =
    typeof e === 'number' && Number.isFinite(e) && e > 0
      ? Math.min(e, MAX_TOKEN_TTL_SECONDS)
      : DEFAULT_TOKEN_TTL_SECONDS;
  return { token, ttlSeconds: ttl };
}

/** The REGISTRY_UNAUTHORIZED error: says which registry, and whether credentials were missing or refused. */
export function unauthorized(
  where: RegistryWhere,
  hadCredentials: boolean,
  who = 'the registry',
  origin = 'the pull secret',
): RegistryError {
  const message = hadCredentials
    ? `${describeWhere(where)}: ${who} rejected the credentials for ${where.registry}, or they do not grant pull access; check ${origin} for ${where.registry}`
    : `${describeWhere(where)}: the registry requires authentication and no credentials for ${where.registry} were found; add an imagePullSecret (or the policy's registry.credentials) for ${where.registry}`;
  return registryError('REGISTRY_UNAUTHORIZED', where, message, { details: { hadCredentials } });
}

// basicHeader builds `Basic base64(user:pass)` when both are known.
function basicHeader(cred: Credential | undefined): string | undefined {
  if (cred?.username === undefined || cred.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${cred.username}:${cred.password}`, 'utf8').toString('base64')}`;
}

// hasSecret says whether a credential carries anything we would send.
function hasSecret(cred: Credential | undefined): boolean {
  return (
    cred !== undefined &&
    (cred.password !== undefined || cred.identityToken !== undefined || cred.registryToken !== undefined)
  );
}

// tokenKey separates cached tokens by registry, scope and credential (a hash; never the secret itself).
function tokenKey(req: AuthRequest): string {
  const c = req.credential;
  const who =
    c === undefined
      ? 'anonymous'
      : createHash('sha256')
          .update(JSON.stringify([c.username, c.password, c.identityToken, c.registryToken]))
          .digest('hex');
  return `${req.where.registry}\n${req.where.repository}\n${who}`;
}
