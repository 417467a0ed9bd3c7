import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

/** A plain-HTTP proxy to a loopback registry that answers 503 on demand: a registry blip the test controls. */
export interface FlakyProxy {
  /** `127.0.0.1:PORT`: name images by this host to go through the proxy. */
  readonly host: string;
  /** While true, every request is answered 503. */
  failing: boolean;
  /** Added before each request is forwarded (ms): a registry farther away than loopback. */
  delayMs: number;
  /** Requests answered with 503 so far. */
  failed(): number;
  /** Every request seen so far, as `METHOD /path` (benchmarks count registry requests with it). */
  requests(): readonly string[];
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` (host:port, plain HTTP), except the first `failFirst` requests and any
 * request while `failing` is on, which get 503 (retryable, so the client's retries are spent too).
 */
export async function startFlakyProxy(
  target: string,
  options: { failFirst?: number } = {},
): Promise<FlakyProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  let failed = 0;
  let seen = 0;
  const log: string[] = [];
  const proxy = {
    host: '',
    failing: false,
    delayMs: 0,
    failed: () => failed,
    requests: () => log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    seen += 1;
    log.push(`${req.method ?? '?'} ${req.url ?? ''}`);
    if (proxy.failing || seen <= (options.failFirst ?? 0)) {
      failed += 1;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('registry blip');
      return;
    }
    if (proxy.delayMs > 0) {
      req.pause();
      setTimeout(() => forward(req, res), proxy.delayMs);
    } else forward(req, res);
  });
  // forward sends one request on to the registry and pipes its answer back.
  const forward = (req: IncomingMessage, res: ServerResponse): void => {
    const upstream = httpRequest(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  };
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
