// Small real servers on 127.0.0.1 port 0 that misbehave on purpose: the registries our client must survive.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { throwawayCert } from '../../harness/tls';
import {
  ANONYMOUS,
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
