// A real Fulcio on loopback: a file CA (our private root and intermediate), the given OIDC issuers, and
// optionally a CT log (without one its certificates carry no SCT).
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { startProcess, stopProcessGroup, START_TIMEOUT_MS } from '../process';
import { isolatedEnv, sigstoreTool } from './child-env';
import type { CtLog } from './ct-log';
import { SIGSTORE_AUDIENCE } from './oidc-issuer';
import { encryptedCaKey, type PrivateCa } from './pki';
import { waitForHttp, withFreePorts } from './ports';

/** Fulcio issuer types the harness configures (Fulcio knows more). */
export type FulcioIssuerType = 'email' | 'github-workflow';

export interface FulcioIssuer {
  readonly url: string;
  readonly type: FulcioIssuerType;
}

export interface Fulcio {
  /** `http://127.0.0.1:PORT`: Fulcio's HTTP API (gRPC is on another port, unused here). */
  readonly url: string;
  /** The CA chain, intermediate then root: the trusted root's certificate authority. */
  readonly chainPem: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface FulcioOptions {
  readonly dir: string;
  readonly ca: PrivateCa;
  readonly issuers: readonly FulcioIssuer[];
  /** Where to submit precertificates; without it no SCT is embedded. */
  readonly ctLog?: CtLog;
}

/** Starts Fulcio; the issuers must already be answering (Fulcio reads their discovery documents at start). */
export async function startFulcio(options: FulcioOptions): Promise<Fulcio> {
  const { dir, ca } = options;
  await mkdir(dir, { recursive: true });
  const password = `fulcio-${Math.random().toString(36).slice(2)}`;
  const files = {
    chain: path.join(dir, 'ca-chain.pem'),
    key: path.join(dir, 'ca-key.pem'),
    config: path.join(dir, 'config.json'),
    ctKey: path.join(dir, 'ct.pub'),
  };
  await writeFile(files.chain, ca.chainPem);
  await writeFile(files.key, await encryptedCaKey(ca, password), { mode: 0o600 });
  await writeFile(files.config, JSON.stringify(fulcioConfig(options.issuers), null, 2));
  const ct = options.ctLog;
  if (ct !== undefined) await writeFile(files.ctKey, ct.publicKeyPem);
  return withFreePorts(3, async ([port, grpcPort, metrics]) => {
    const url = `http://127.0.0.1:${port}`;
    const args = [
      'serve', '--log_type', 'dev',
      // HTTP and gRPC on two ports: v1.8.8's one-port (duplex) mode panics registering its metrics twice.
      // The metrics server binds ":PORT" (every interface) whatever we pass; the port is a fresh one.
      '--host', '127.0.0.1', '--port', String(port), '--grpc-host', '127.0.0.1', '--grpc-port', String(grpcPort),
      '--metrics-port', String(metrics),
      // The legacy gRPC socket is an abstract unix socket with one fixed name: two Fulcios would collide.
      '--legacy-unix-domain-socket', `@portcullis-fulcio-${port}-${randomBytes(4).toString('hex')}`,
      '--ca', 'fileca', '--fileca-cert', files.chain, '--fileca-key', files.key,
      '--fileca-key-passwd', password, '--fileca-watch=false',
      '--config-path', files.config,
      ...(ct === undefined
        ? ['--ct-log-url=']
        : ['--ct-log-url', ct.url, '--ct-log-public-key-path', files.ctKey]),
    ]; // prettier-ignore
    const p = await startProcess(sigstoreTool('fulcio'), args, /listening on http at/, {
      cwd: dir,
      env: isolatedEnv(dir),
    });
    const stop = (): Promise<void> => stopProcessGroup(p.pid);
    await waitForHttp(`${url}/api/v2/trustBundle`, p, START_TIMEOUT_MS).catch(async (e: unknown) => {
      await stop();
      throw e;
    });
    return { url, chainPem: ca.chainPem, pid: p.pid, stop };
  });
}

// fulcioConfig is Fulcio's issuer configuration (its JSON form): every issuer trusted for the sigstore audience.
function fulcioConfig(issuers: readonly FulcioIssuer[]): unknown {
  return {
    OIDCIssuers: Object.fromEntries(
      issuers.map((i) => [i.url, { IssuerURL: i.url, ClientID: SIGSTORE_AUDIENCE, Type: i.type }]),
    ),
  };
}
