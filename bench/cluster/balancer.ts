// A tiny round-robin TCP balancer in front of TLS replicas, in the role of a Service: every new connection goes
// to the next replica whose /readyz answered 200 at the last check (every HEALTH_INTERVAL_MS), as endpoints
// drop a replica whose readiness failed. TLS passes through untouched.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { request } from 'node:https';

/** How often each backend's /readyz is checked. */
const HEALTH_INTERVAL_MS = 100;

export interface Balancer {
  readonly port: number;
  add(port: number): void;
  remove(port: number): void;
  /** Connections that found no ready backend, or whose backend refused them. */
  refused(): number;
  close(): Promise<void>;
}

// ready asks a backend's /readyz over HTTPS (trusting `ca`); false on anything but 200.
function ready(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/readyz', ca, agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Starts the balancer on 127.0.0.1 and a free port; backends are TLS servers trusting `ca` for health checks. */
export async function startBalancer(ca: string): Promise<Balancer> {
  const backends = new Map<number, boolean>();
  const sockets = new Set<Socket>();
  let next = 0;
  let refused = 0;
  const timer = setInterval(() => {
    for (const port of backends.keys())
      void ready(port, ca).then((ok) => backends.has(port) && backends.set(port, ok));
  }, HEALTH_INTERVAL_MS);
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const live = [...backends].filter(([, ok]) => ok).map(([port]) => port);
    const port = live[next++ % Math.max(1, live.length)];
    if (port === undefined) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = connect(port, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      refused += 1;
      client.destroy();
    });
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    add: (port) => void backends.set(port, false),
    remove: (port) => void backends.delete(port),
    refused: () => refused,
    close: async () => {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
