// The client side of the local services, written by the real `cosign trusted-root create` and
// `cosign signing-config create` (cosign v3): a trusted root with exactly these services' keys and
// certificates, and signing configs that name their URLs.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { isolatedEnv, sigstoreTool } from './child-env';

const run = promisify(execFile);

/** Timeout of one `cosign … create`. It contacts nothing, so a hang means it tried to. */
export const TRUST_CLI_TIMEOUT_MS = 30_000;
/** Who the signing config names as the operator of every service. */
export const OPERATOR = 'portcullis-test';
/** How far before start-up the services' validity begins (covers backdated certificates). */
const VALIDITY_BACKDATE_MS = 2 * 60 * 60 * 1000;

/** What the trusted root and the signing configs describe; absent services are left out of both. */
export interface ServiceMaterial {
  readonly fulcio: { readonly url: string; readonly chainPem: string };
  readonly ctLog?: { readonly url: string; readonly origin: string; readonly publicKeyPem: string };
  readonly rekor?: { readonly url: string; readonly origin: string; readonly publicKeyPem: string };
  readonly tsa?: { readonly timestampUrl: string; readonly chainPem: string };
  readonly oidcIssuerUrl: string;
}

/** Which services a signature uses; each flag that is true needs its service in the material. */
export interface SigningServices {
  readonly tlog: boolean;
  readonly timestamp: boolean;
}

// startTime is the RFC 3339 start of every service's validity (seconds precision).
function startTime(now: number): string {
  return new Date(now - VALIDITY_BACKDATE_MS).toISOString().replace(/\.\d+Z$/, 'Z');
}

// cosignCreate runs `cosign <what> create …` in an isolated home and fails with its output.
async function cosignCreate(home: string, args: string[]): Promise<void> {
  try {
    await run(sigstoreTool('cosign'), args, { env: isolatedEnv(home), timeout: TRUST_CLI_TIMEOUT_MS });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`cosign ${args.slice(0, 2).join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`);
  }
}

/** Writes `dir/trusted_root.json` for exactly the services in `m` and returns its path. */
export async function writeTrustedRoot(dir: string, m: ServiceMaterial, now = Date.now()): Promise<string> {
  const start = startTime(now);
  const file = (name: string, content: string): Promise<string> =>
    writeFile(path.join(dir, name), content).then(() => path.join(dir, name));
  const args = ['trusted-root', 'create', '--out', path.join(dir, 'trusted_root.json')];
  args.push(
    '--fulcio',
    `url=${m.fulcio.url},certificate-chain=${await file('fulcio-chain.pem', m.fulcio.chainPem)},start-time=${start}`,
  );
  if (m.ctLog !== undefined) {
    const key = await file('ctlog.pub', m.ctLog.publicKeyPem);
    args.push('--ctfe', `url=${m.ctLog.url},public-key=${key},start-time=${start},origin=${m.ctLog.origin}`);
  }
  if (m.rekor !== undefined) {
    const key = await file('rekor.pub', m.rekor.publicKeyPem);
    args.push('--rekor', `url=${m.rekor.url},public-key=${key},start-time=${start},origin=${m.rekor.origin}`);
  }
  if (m.tsa !== undefined) {
    const chain = await file('tsa-chain.pem', m.tsa.chainPem);
    args.push('--tsa', `url=${m.tsa.timestampUrl},certificate-chain=${chain},start-time=${start}`);
  }
  await cosignCreate(dir, args);
  return path.join(dir, 'trusted_root.json');
}

/**
 * Writes a signing config (`dir/signing_config-<variant>.json`) naming Fulcio and the OIDC issuer, plus Rekor
 * (API v2) when `use.tlog` and the TSA when `use.timestamp`; returns its path.
 */
export async function writeSigningConfig(
  dir: string,
  m: ServiceMaterial,
  use: SigningServices,
  now = Date.now(),
): Promise<string> {
  const start = startTime(now);
  const service = (url: string, apiVersion: number): string =>
    `url=${url},api-version=${apiVersion},start-time=${start},operator=${OPERATOR}`;
  const out = path.join(
    dir,
    `signing_config-${use.tlog ? 'tlog' : 'notlog'}-${use.timestamp ? 'tsa' : 'notsa'}.json`,
  );
  const args = ['signing-config', 'create', '--out', out];
  args.push('--fulcio', service(m.fulcio.url, 1), '--oidc-provider', service(m.oidcIssuerUrl, 1));
  if (use.tlog) {
    if (m.rekor === undefined) throw new Error('a transparency log was asked for, but Rekor is not running');
    args.push('--rekor', service(m.rekor.url, 2), '--rekor-config', 'ANY');
  }
  if (use.timestamp) {
    if (m.tsa === undefined) throw new Error('a timestamp was asked for, but the TSA is not running');
    args.push('--tsa', service(m.tsa.timestampUrl, 1), '--tsa-config', 'ANY');
  }
  await cosignCreate(dir, args);
  return out;
}
