// A real certificate transparency log: TesseraCT (the static-ct-api log Fulcio's own compose file runs), on
// loopback with POSIX storage. Fulcio submits each precertificate to it and embeds the SCT it answers with.
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { startProcess, stopProcessGroup, START_TIMEOUT_MS } from '../process';
import { isolatedEnv, sigstoreTool } from './child-env';
import { waitForHttp, withFreePorts } from './ports';

/** The log's origin: a name only (TesseraCT wants a URL without scheme; `.test` never resolves). */
export const CT_LOG_ORIGIN = 'ctlog.portcullis.test';
/** How often TesseraCT publishes a checkpoint; an SCT is only answered once its entry is integrated. */
const CT_CHECKPOINT_INTERVAL = '200ms';

export interface CtLog {
  /** `http://127.0.0.1:PORT`: Fulcio's `--ct-log-url`, and the trusted root's ctlog base URL. */
  readonly url: string;
  /** The log's checkpoint origin (static-ct-api submission prefix). */
  readonly origin: string;
  /** PEM SPKI of the log key: its SHA-256 is the log ID in every SCT. */
  readonly publicKeyPem: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts TesseraCT accepting chains that end in `rootsPem` with the code-signing EKU. */
export async function startCtLog(dir: string, rootsPem: string): Promise<CtLog> {
  await mkdir(dir, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const keyFile = path.join(dir, 'ct.key');
  const rootsFile = path.join(dir, 'roots.pem');
  // TesseraCT reads a SEC1 ("EC PRIVATE KEY") key only.
  await writeFile(keyFile, privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
  await writeFile(rootsFile, rootsPem);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return withFreePorts(1, async ([port]) => {
    const url = `http://127.0.0.1:${port}`;
    const storage = path.join(dir, `storage-${port}`);
    const args = [
      '--http_endpoint', `127.0.0.1:${port}`, '--origin', CT_LOG_ORIGIN, '--storage_dir', storage,
      '--private_key', keyFile, '--roots_pem_file', rootsFile, '--ext_key_usages', 'CodeSigning',
      '--checkpoint_interval', CT_CHECKPOINT_INTERVAL, '--accept_sha1_signing_algorithms=false',
    ]; // prettier-ignore
    const p = await startProcess(sigstoreTool('tesseract'), args, /CT HTTP Server Starting/, {
      cwd: dir,
      env: isolatedEnv(dir),
    });
    const stop = (): Promise<void> => stopProcessGroup(p.pid);
    await waitForHttp(`${url}/ct/v1/get-roots`, p, START_TIMEOUT_MS).catch(async (e: unknown) => {
      await stop();
      throw e;
    });
    return { url, origin: CT_LOG_ORIGIN, publicKeyPem, pid: p.pid, stop };
  });
}
