import { createPrivateKey, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Docker-token-spec auth server for distribution's `auth: token`, on 127.0.0.1 port 0. */
export interface TokenServer {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

export interface TokenServerOptions {
  readonly keyFile: string;
  readonly certFile: string;
  readonly issuer: string;
  readonly service: string;
  readonly username: string;
  readonly password: string;
  readonly refreshToken: string;
  /** Seconds a token lives. */
  readonly expiresIn?: number;
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/**
 * Starts the token server. GET /token with Basic credentials (or none: an anonymous token with no access),
 * POST /token with grant_type=refresh_token or password (OAuth2, as docker does with an identity token).
 * GET /stats returns `{"tokens": N}`, the number of tokens issued, so tests can check token caching.
 */
export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const key = createPrivateKey(await readFile(opts.keyFile));
  const certDer = new X509Certificate(await readFile(opts.certFile)).raw.toString('base64');
  let issued = 0;
  const server = http.createServer((req, res) => {
    handle(req, opts, key, certDer)
      .then(({ status, body }) => {
        if (status === 200 && body.token !== undefined) issued++;
        if (req.url === '/stats') body = { tokens: issued };
        res.writeHead(req.url === '/stats' ? 200 : status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// handle decides who is asking (basic, refresh token, password grant or anonymous) and mints a token.
async function handle(
  req: http.IncomingMessage,
  opts: TokenServerOptions,
  key: KeyObject,
  certDer: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/stats') return { status: 200, body: {} };
  if (url.pathname !== '/token') return { status: 404, body: { error: 'not found' } };
  let params = url.searchParams;
  let subject: string | undefined;
  if (req.method === 'POST') {
    params = new URLSearchParams(await readBody(req));
    const grant = params.get('grant_type');
    const ok =
      (grant === 'refresh_token' && params.get('refresh_token') === opts.refreshToken) ||
      (grant === 'password' &&
        params.get('username') === opts.username &&
        params.get('password') === opts.password);
    if (!ok) return { status: 401, body: { error: 'invalid_grant' } };
    subject = opts.username;
  } else {
    const authz = req.headers.authorization;
    if (authz !== undefined) {
      const [scheme, value] = authz.split(' ');
      const decoded = Buffer.from(value ?? '', 'base64').toString('utf8');
      if (scheme?.toLowerCase() !== 'basic' || decoded !== `${opts.username}:${opts.password}`) {
        return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] } };
      }
      subject = opts.username;
    }
  }
  if (params.get('service') !== opts.service) return { status: 400, body: { error: 'unknown service' } };
  const access = subject === undefined ? [] : parseScopes(params.getAll('scope'));
  const expiresIn = opts.expiresIn ?? 300;
  const token = mint(opts, key, certDer, subject ?? '', access, expiresIn);
  const body: Record<string, unknown> = { token, expires_in: expiresIn, issued_at: new Date().toISOString() };
  if (req.method === 'POST') body.access_token = token;
  return { status: 200, body };
}

// parseScopes turns "repository:name:pull,push" (space-separated, repeatable) into JWT access claims.
function parseScopes(scopes: string[]): Access[] {
  const out: Access[] = [];
  for (const s of scopes.flatMap((x) => x.split(' ')).filter((x) => x !== '')) {
    const first = s.indexOf(':');
    const last = s.lastIndexOf(':');
    if (first < 0 || last <= first) continue;
    out.push({
      type: s.slice(0, first),
      name: s.slice(first + 1, last),
      actions: s.slice(last + 1).split(','),
    });
  }
  return out;
}

// mint signs an ES256 JWT whose x5c carries the self-signed cert that is distribution's root bundle.
function mint(
  opts: TokenServerOptions,
  key: KeyObject,
  certDer: string,
  sub: string,
  access: Access[],
  expiresIn: number,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer] };
  const claims = {
    iss: opts.issuer,
    sub,
    aud: opts.service,
    exp: now + expiresIn,
    nbf: now - 10,
    iat: now,
    jti: randomBytes(8).toString('hex'),
    access,
  };
  const enc = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${enc(header)}.${enc(claims)}`;
  const sig = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

// readBody collects a small form body (the token server is test-only; 64 KiB is plenty).
function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
      if (s.length > 65536) req.destroy();
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}
