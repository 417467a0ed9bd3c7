// The op timeout measures Valkey, not this process: when the event loop was blocked past the timeout (a burst
// of admissions on a busy replica) and the reply is already in the socket, the reply wins over the timer.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import { FELL_BACK, Guard } from '../../../src/shared-cache/guard';
import { SHARED_CACHE_OP_TIMEOUT_MS } from '../../../src/shared-cache/limits';
import { SharedCacheMetrics } from '../../../src/shared-cache/metrics';

/** An echo server on loopback in another process: the "Valkey" that answers while this process is blocked. */
const ECHO_SERVER =
  "require('node:net').createServer((s) => s.pipe(s)).listen(0, '127.0.0.1', function () { process.stdout.write(this.address().port + '\\n'); })";

let server: ChildProcess;
let client: Socket;

beforeAll(async () => {
  server = spawn(process.execPath, ['-e', ECHO_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    server.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  client = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
});

afterAll(() => {
  client.destroy();
  server.kill('SIGKILL');
});

// echo sends one line and resolves with the echoed reply (read in the poll phase, like iovalkey's replies).
function echo(line: string): Promise<string> {
  return new Promise((resolve) => {
    client.once('data', (chunk: Buffer) => resolve(chunk.toString()));
    client.write(line);
  });
}

// readyGuard is a guard whose connection is up and that never trips on its own.
function readyGuard(): Guard {
  return new Guard({
    ready: () => true,
    onTrip: () => undefined,
    metrics: new SharedCacheMetrics(),
    logger: pino({ level: 'silent' }),
    now: Date.now,
  });
}

// blockFor keeps the event loop busy, as a burst of synchronous request handling does.
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

it('returns a reply that arrived while the loop was blocked past the op timeout', async () => {
  const guard = readyGuard();
  // The command is written, then this process blocks past the timeout while the other one echoes.
  const reply = guard.run('get', {}, () => echo('pong'));
  blockFor(SHARED_CACHE_OP_TIMEOUT_MS * 2);
  await expect(reply).resolves.toBe('pong');
});

it('still falls back when nothing arrives', async () => {
  const guard = readyGuard();
  const reply = guard.run('get', {}, () => new Promise<string>(() => undefined));
  blockFor(SHARED_CACHE_OP_TIMEOUT_MS * 2);
  await expect(reply).resolves.toBe(FELL_BACK);
});
