// Test helper: a loopback HTTP server that serves TUF files at /v2/<gun>/_trust/tuf/<role>.json (fixture data).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { RegistryClient } from '../../../../src/registry/client';
import type { RegistryRequestContext } from '../../../../src/registry/registry.types';

/** A running fixture server; `files` maps a URL path to the bytes served (anything else is 404). */
export interface TrustServer {
  readonly url: string;
  readonly files: Map<string, Buffer>;
  /** Every request path, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts the server on 127.0.0.1:0; `handler` may answer a request first (auth, slow answers). */
export async function startTrustServer(
  handler?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<TrustServer> {
  const files = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (handler?.(req, res) === true) return;
    const body = files.get(req.url ?? '');
    if (body === undefined) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"errors":[{"code":"METADATA_NOT_FOUND"}]}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    files,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The URL path notary-server serves `role` of `gun` at. */
export function rolePath(gun: string, role: string): string {
  return `/v2/${gun}/_trust/tuf/${role}.json`;
}

/** A real RegistryClient (loopback may speak plain HTTP), silent. */
export function newClient(): RegistryClient {
  return new RegistryClient({ insecureRegistries: [], logger: pino({ level: 'silent' }), userAgent: 'test' });
}

/** A request context with a deadline `ms` from now and the given credentials. */
export function requestContext(
  ms = 10_000,
  lookup: RegistryRequestContext['credentials']['lookup'] = () => undefined,
): RegistryRequestContext {
  return { deadline: Date.now() + ms, credentials: { lookup } };
}
