import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';

/** A TCP listener that counts connections and answers nothing: a registry that hangs, or a tripwire. */
export interface Tripwire {
  readonly host: string;
  connections(): number;
  close(): Promise<void>;
}

// startTripwire listens on 127.0.0.1:0, holds every connection open without a byte of reply.
export async function startTripwire(): Promise<Tripwire> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A registry that claims a 1 GiB manifest and streams zeros for as long as the client reads.
 * Returns how many bytes it managed to send, to prove the client stopped early.
 */
export async function startHugeManifestRegistry(): Promise<{
  host: string;
  bytesSent(): number;
  close(): Promise<void>;
}> {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const server: HttpServer = createHttpServer((req, res) => {
    if (req.url === '/v2/') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/vnd.oci.image.manifest.v1+json',
      'content-length': String(1024 ** 3),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const pump = (): void => {
      while (sent < 1024 ** 3) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    host: `127.0.0.1:${port}`,
    bytesSent: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
