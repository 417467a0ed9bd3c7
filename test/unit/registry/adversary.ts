// Small real servers on 127.0.0.1 port 0 that misbehave on purpose: the registries our client must survive.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Agent, buildConnector } from 'undici';
import { throwawayCert } from '../../harness/tls';
import {
  ANONYMOUS,
  isLoopbackHost,
  OCI_MANIFEST,
  RegistryClient,
  type CredentialSource,
  type RegistryClientOptions,
} from '../../../src/registry';

/** A running adversary: `host` is `127.0.0.1:PORT`; `requests` lists what it saw. */
export interface Adversary {
  readonly host: string;
  readonly requests: { method: string; url: string; authorization?: string }[];
  close(): Promise<void>;
}

/** Starts a plain-HTTP server (or HTTPS with `tls`) that records requests and runs `handler`. */
export async function adversary(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void,
  tls?: { key: string; cert: string },
): Promise<Adversary> {
  const requests: Adversary['requests'] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    handler(req, res, requests.length);
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl CLI), for TLS adversaries. */
export function selfSignedCert(): { key: string; cert: string } {
  return throwawayCert('127.0.0.1');
}

/** A client with a silent logger, no jitter, and `onRequest` outcomes collected in `outcomes`. */
export function testClient(options: Partial<RegistryClientOptions> = {}): {
  client: RegistryClient;
  outcomes: string[];
} {
  const outcomes: string[] = [];
  const client = new RegistryClient({
    insecureRegistries: [],
    logger: pino({ level: 'silent' }),
    userAgent: 'portcullis-test',
    random: () => 0.5,
    onRequest: (_registry, outcome) => outcomes.push(outcome),
    ...options,
  });
  return { client, outcomes };
}

/** A request context `ms` from now. */
export function within(ms: number, credentials: CredentialSource = ANONYMOUS) {
  return { deadline: Date.now() + ms, credentials };
}

/** Awaits a promise that must reject, and returns what it rejected with. */
export async function failure(
  p: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

/** A small valid OCI manifest and its digest, as a well-behaved registry would serve them. */
export const MANIFEST = Buffer.from(
  JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: {}, layers: [] }),
);
export const DIGEST = `sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;

/**
 * Registers an afterEach that closes every adversary the test started, and returns the starter.
 * Call it at the top level of a test file.
 */
export function useAdversaries(): (...args: Parameters<typeof adversary>) => Promise<Adversary> {
  const servers: Adversary[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (...args) => {
    const s = await adversary(...args);
    servers.push(s);
    return s;
  };
}

// sendManifest answers like a well-behaved registry.
export function sendManifest(res: http.ServerResponse): void {
  res.writeHead(200, {
    'content-type': OCI_MANIFEST,
    'docker-content-digest': DIGEST,
    'content-length': MANIFEST.length,
  });
  res.end(MANIFEST);
}

/**
 * A dispatcher for tests that must prove a connection was never attempted: it records every host undici asks
 * to connect to, and opens sockets only to loopback (anything else fails at once, so no test can send traffic
 * off the machine, even when the code under test is wrong).
 */
export function loopbackOnlyDispatcher(): { dispatcher: Agent; attempts: string[] } {
  const attempts: string[] = [];
  const base = buildConnector({});
  const dispatcher = new Agent({
    connect: (opts, cb) => {
      attempts.push(opts.hostname);
      if (!isLoopbackHost(opts.hostname.includes(':') ? `[${opts.hostname}]` : opts.hostname)) {
        return cb(new Error(`test dispatcher: refusing to connect to ${opts.hostname}`), null);
      }
      base(opts, cb);
    },
  });
  return { dispatcher, attempts };
}
