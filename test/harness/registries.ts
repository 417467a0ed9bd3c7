import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startProcess, stopProcessGroup, START_TIMEOUT_MS } from './process';
import { tool } from './tools';
import { selfSignedArgs } from './tls';
import { startTokenServer, type TokenServer } from './token-server';

const execFileP = promisify(execFile);

/** A registry process started for tests. `host` is `127.0.0.1:PORT`, spoken to over plain HTTP. */
export interface RunningRegistry {
  readonly host: string;
  readonly pid: number;
  readonly dir: string;
  stop(): Promise<void>;
}

export interface BasicAuthRegistry extends RunningRegistry {
  readonly username: string;
  readonly password: string;
}

export interface TokenAuthRegistry extends BasicAuthRegistry {
  /** Token endpoint (the realm the registry advertises). */
  readonly realm: string;
  readonly service: string;
  /** An OAuth2 refresh token the token server accepts (docker config `identitytoken`). */
  readonly refreshToken: string;
  /** The token server runs in the process that started it; this is not a separate pid. */
  readonly tokenServer: TokenServer;
}

/**
 * Starts go-containerregistry's in-memory registry with the OCI referrers API switched on (hack/oci-registry;
 * `crane registry serve` is the same registry with referrers OFF, so it would answer 404).
 */
export async function startReferrersRegistry(): Promise<RunningRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-oci-reg-'));
  const p = await startProcess(tool('oci-registry'), ['-address', '127.0.0.1:0'], /serving on port (\d+)/, {
    cwd: dir,
  });
  return finishStart(`127.0.0.1:${p.match[1]}`, p.pid, dir);
}

/** Starts Debian's docker-registry (distribution 2.8, no referrers API) on a free port. */
export async function startDistribution(): Promise<RunningRegistry> {
  return startDistributionWith('');
}

/** Starts docker-registry with htpasswd (Basic) auth for one random user. */
export async function startAuthDistribution(): Promise<BasicAuthRegistry> {
  const username = 'portcullis';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-htpasswd-'));
  const file = path.join(dir, 'htpasswd');
  // -B bcrypt is the only format distribution accepts; -i reads the password from stdin, not argv.
  const { stdout } = await execFileWithInput(tool('htpasswd'), ['-niB', username], password);
  await writeFile(file, stdout);
  const reg = await startDistributionWith(
    `auth:\n  htpasswd:\n    realm: portcullis-test\n    path: ${file}\n`,
  );
  return {
    ...reg,
    username,
    password,
    stop: async () => {
      await reg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts docker-registry with `auth: token`, and a token server (in this process, on loopback) that checks Basic
 * credentials or a refresh token and issues ES256 JWTs signed by a key whose self-signed cert is the root bundle.
 */
export async function startTokenAuthDistribution(): Promise<TokenAuthRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-token-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  await execFileP(
    'openssl',
    selfSignedArgs({ keyFile, certFile, subject: '/CN=portcullis-test-token-issuer' }),
    { timeout: 20_000 },
  );
  const username = 'portcullis';
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const refreshToken = `rt-${Math.random().toString(36).slice(2)}`;
  const service = 'portcullis-test-registry';
  const issuer = 'portcullis-test-issuer';
  const tokenServer = await startTokenServer({
    keyFile,
    certFile,
    issuer,
    service,
    username,
    password,
    refreshToken,
  });
  // `localhost`, not 127.0.0.1: go-containerregistry (crane, cosign) refuses realms on private IP literals
  // unless they equal the registry's host:port, and this realm is on another port.
  const realm = `${tokenServer.url.replace('127.0.0.1', 'localhost')}/token`;
  const auth = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${certFile}\n`;
  let reg: RunningRegistry;
  try {
    reg = await startDistributionWith(auth);
  } catch (e) {
    await tokenServer.close();
    throw e;
  }
  return {
    ...reg,
    username,
    password,
    realm,
    service,
    refreshToken,
    tokenServer,
    stop: async () => {
      await reg.stop();
      await tokenServer.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// startDistributionWith writes a config (plus an optional auth block) and starts docker-registry on port 0.
async function startDistributionWith(authYaml: string): Promise<RunningRegistry> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-distribution-'));
  const config = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    '  addr: 127.0.0.1:0',
    `  secret: ${Math.random().toString(36).slice(2)}`,
    authYaml,
  ].join('\n');
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, config);
  const p = await startProcess(
    tool('docker-registry'),
    ['serve', configFile],
    /listening on 127\.0\.0\.1:(\d+)/,
    {
      cwd: dir,
    },
  );
  return finishStart(`127.0.0.1:${p.match[1]}`, p.pid, dir);
}

// finishStart waits until /v2/ answers (any status: 401 counts) and attaches a stop() that kills and cleans up.
async function finishStart(host: string, pid: number, dir: string): Promise<RunningRegistry> {
  const stop = async (): Promise<void> => {
    await stopProcessGroup(pid);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForV2(host);
  } catch (e) {
    await stop();
    throw e;
  }
  return { host, pid, dir, stop };
}

/** Polls `GET http://host/v2/` until it answers with 200 or 401. */
export async function waitForV2(host: string, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
      last = new Error(`status ${res.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`registry at ${host} did not answer GET /v2/ in ${timeoutMs} ms: ${String(last)}`);
}

// execFileWithInput runs a tool with a secret on stdin (never on the command line, where ps shows it).
function execFileWithInput(cmd: string, args: string[], input: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve({ stdout }),
    );
    child.stdin?.end(input);
  });
}
