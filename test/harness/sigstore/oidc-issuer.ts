// A small OpenID Connect issuer in this process, on 127.0.0.1 port 0: discovery document, JWKS, and ID tokens
// minted on demand with whatever claims a test wants. Fulcio fetches the discovery document and the keys when
// it starts, and checks each token's signature, issuer, audience and expiry against them.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The audience cosign asks Fulcio for (`--oidc-client-id` defaults to it), and Fulcio's ClientID. */
export const SIGSTORE_AUDIENCE = 'sigstore';
/** How long a minted token lives unless told otherwise (Fulcio refuses expired tokens). */
export const DEFAULT_TOKEN_TTL_S = 600;

/** Claims of an ID token; `iss`, `aud`, `iat`, `exp` are filled in unless given. */
export type Claims = Record<string, unknown>;

export interface MintOptions {
  /** Seconds from now until `exp`; negative for an expired token. */
  readonly ttlSeconds?: number;
  /** Sign with a key that is not in the JWKS (a forged token). */
  readonly foreignKey?: boolean;
}

export interface OidcIssuer {
  /** `http://127.0.0.1:PORT/<name>`: the `iss` of every token, and the URL Fulcio discovers. */
  readonly url: string;
  /** Signs a JWT (ES256) with this issuer's key. */
  mint(claims: Claims, options?: MintOptions): string;
  close(): Promise<void>;
}

/** Starts an issuer. Its path carries `name`, so two issuers differ in URL even by more than the port. */
export async function startOidcIssuer(name = 'oidc'): Promise<OidcIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const kid = randomUUID();
  let url = '';
  const server = http.createServer((req, res) => {
    const body = answer(req.url ?? '/', url, kid, publicKey);
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`;
  return {
    url,
    mint: (claims, options = {}) =>
      signJwt(
        withDefaults(claims, url, options.ttlSeconds ?? DEFAULT_TOKEN_TTL_S),
        options.foreignKey === true ? foreign : privateKey,
        kid,
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// answer serves discovery and keys under the issuer's path; anything else is a 404.
function answer(reqUrl: string, issuer: string, kid: string, publicKey: KeyObject): unknown {
  const path = new URL(reqUrl, 'http://x').pathname;
  const base = new URL(issuer).pathname;
  if (path === `${base}/.well-known/openid-configuration`) {
    return {
      issuer,
      jwks_uri: `${issuer}/keys`,
      // Required by the spec, never used here: nobody logs in interactively.
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
    };
  }
  if (path === `${base}/keys`) {
    return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] };
  }
  return undefined;
}

// withDefaults adds the registered claims a verifier requires, letting the caller override any of them.
function withDefaults(claims: Claims, issuer: string, ttlSeconds: number): Claims {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: SIGSTORE_AUDIENCE, iat: now, nbf: now - 5, exp: now + ttlSeconds, ...claims };
}

// signJwt makes a compact JWS: ES256 wants the raw r||s signature, not DER.
function signJwt(claims: Claims, key: KeyObject, kid: string): string {
  const enc = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg: 'ES256', typ: 'JWT', kid })}.${enc(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}
