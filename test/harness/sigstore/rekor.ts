// A real Rekor v2 transparency log (rekor-tiles) on loopback, its tiles and checkpoints in a local folder
// (Tessera's POSIX backend). Entries are answered with their inclusion proof and a signed checkpoint, which is
// all a verifier needs: nothing reads the tiles back in these tests.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { startProcess, stopProcessGroup, START_TIMEOUT_MS } from '../process';
import { isolatedEnv, sigstoreTool } from './child-env';
import { waitForHttp, withFreePorts } from './ports';

/**
 * The checkpoint origin (`--hostname`). Verifiers (sigstore-go, so cosign) take a Rekor v2 log's origin from the
 * host name of its trusted-root base URL, without the port: so it must be the loopback address itself.
 */
export const REKOR_ORIGIN = '127.0.0.1';
/** How often a checkpoint is published; an entry is answered once a checkpoint covers it. */
const REKOR_CHECKPOINT_INTERVAL = '500ms';
/** How long entries wait to be batched before sequencing. */
const REKOR_BATCH_MAX_AGE = '50ms';

export interface Rekor {
  /** `http://127.0.0.1:PORT`: the signing config's Rekor URL (API version 2). */
  readonly url: string;
  /** The checkpoint origin; with the public key it makes the log ID. */
  readonly origin: string;
  /** PEM SPKI of the log's Ed25519 key. */
  readonly publicKeyPem: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts rekor-tiles (HTTP, gRPC and metrics each on a loopback port picked here). */
export async function startRekor(dir: string): Promise<Rekor> {
  await mkdir(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyFile = path.join(dir, 'rekor.key');
  await writeFile(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return withFreePorts(3, async ([http, grpc, metrics]) => {
    const url = `http://127.0.0.1:${http}`;
    const args = [
      'serve', '--hostname', REKOR_ORIGIN, '--storage-dir', path.join(dir, `log-${http}`), '--signer-filepath', keyFile,
      '--http-address', '127.0.0.1', '--http-port', String(http),
      '--grpc-address', '127.0.0.1', '--grpc-port', String(grpc), '--http-metrics-port', String(metrics),
      '--checkpoint-interval', REKOR_CHECKPOINT_INTERVAL, '--batch-max-age', REKOR_BATCH_MAX_AGE,
    ]; // prettier-ignore
    const p = await startProcess(sigstoreTool('rekor-tiles'), args, /starting HTTP proxy/, {
      cwd: dir,
      env: isolatedEnv(dir),
    });
    const stop = (): Promise<void> => stopProcessGroup(p.pid);
    await waitForHttp(`${url}/healthz`, p, START_TIMEOUT_MS).catch(async (e: unknown) => {
      await stop();
      throw e;
    });
    return { url, origin: REKOR_ORIGIN, publicKeyPem, pid: p.pid, stop };
  });
}
