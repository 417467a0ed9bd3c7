// Keyless signing and verification with the real cosign CLIs through the local services: cosign v3 for the
// sigstore bundle format (an OCI referrer, or the sha256-<hex> tag index without the referrers API), cosign
// v2 for the legacy format (`.sig` / `.att` tags). Every run gets an isolated HOME and dead proxies
// (child-env.ts), so a request to the public-good instance or its TUF repository fails at once.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { isolatedEnv, sigstoreTool } from './child-env';
import type { Sigstore } from './services';

/** Timeout of one cosign run; the services answer in well under a second, so a hang fails the test. */
export const COSIGN_KEYLESS_TIMEOUT_MS = 60_000;

/** `bundle`: cosign v3's sigstore bundle. `legacy`: cosign v2's `.sig` (and `.att`) tags. */
export type SignatureFormat = 'bundle' | 'legacy';

export interface KeylessSignOptions {
  /** `host/repo@sha256:…` on a harness registry (plain HTTP). */
  readonly image: string;
  /** An ID token from one of the harness issuers (Sigstore.emailToken / githubToken). */
  readonly token: string;
  /** Default `bundle`. */
  readonly format?: SignatureFormat;
  /**
   * Record the signature in Rekor v2 (default: true for `bundle`). The legacy format can only carry a Rekor
   * v1 entry (a SET), and only Rekor v2 runs here, so `legacy` with `tlog: true` is refused.
   */
  readonly tlog?: boolean;
  /** Add an RFC 3161 timestamp from the local TSA (default true). */
  readonly timestamp?: boolean;
}

export interface KeylessAttestOptions extends KeylessSignOptions {
  /** The predicate, written to a file for `--predicate`. */
  readonly predicate: unknown;
  /** cosign's `--type`: a short name (`slsaprovenance1`, `spdxjson`, `custom`, …) or a predicate type URI. */
  readonly predicateType: string;
}

/** What a cosign run printed, and its exit code (0 = success). */
export interface CosignRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Signs `image` keylessly; throws with cosign's output if it fails. */
export async function signKeyless(sigstore: Sigstore, options: KeylessSignOptions): Promise<void> {
  const args = ['sign', ...(await keylessArgs(sigstore, options)), options.image];
  await mustRun(sigstore, cliFor(options.format), args);
}

/** Attests `image` keylessly with an in-toto statement of `predicate`; throws with cosign's output on failure. */
export async function attestKeyless(sigstore: Sigstore, options: KeylessAttestOptions): Promise<void> {
  const file = path.join(await scratch(sigstore), `predicate-${randomBytes(4).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(options.predicate));
  const args = ['attest', '--predicate', file, '--type', options.predicateType];
  await mustRun(sigstore, cliFor(options.format), [
    ...args,
    ...(await keylessArgs(sigstore, options)),
    options.image,
  ]);
}

export interface KeylessVerifyOptions {
  readonly image: string;
  /** The certificate's SAN: exact, or `{ regexp }`. */
  readonly identity: string | { readonly regexp: string };
  /** The certificate's OIDC issuer (an issuer's `url`). */
  readonly issuer: string;
  /** Which CLI verifies (default `cosign`, v3; both read both formats). */
  readonly cli?: 'cosign' | 'cosign2';
  /** Require a Rekor entry (default true); false adds `--insecure-ignore-tlog`. */
  readonly tlog?: boolean;
  /** Check the RFC 3161 timestamps (default true): `--use-signed-timestamps`. */
  readonly timestamp?: boolean;
  /** Verify an attestation of this `--type` (cosign verify-attestation) instead of a signature. */
  readonly attestationType?: string;
  /** More flags, e.g. `--certificate-github-workflow-repository owner/repo`. */
  readonly extraArgs?: readonly string[];
}

/** Runs `cosign verify` (or verify-attestation) with the harness's trusted root; never throws on a refusal. */
export async function verifyKeyless(sigstore: Sigstore, options: KeylessVerifyOptions): Promise<CosignRun> {
  const cli = options.cli ?? 'cosign';
  const identity =
    typeof options.identity === 'string'
      ? ['--certificate-identity', options.identity]
      : ['--certificate-identity-regexp', options.identity.regexp];
  const args = [
    ...(options.attestationType === undefined
      ? ['verify']
      : ['verify-attestation', '--type', options.attestationType]),
    '--trusted-root', sigstore.trustedRootPath,
    ...identity, '--certificate-oidc-issuer', options.issuer,
    ...(options.tlog === false ? ['--insecure-ignore-tlog=true'] : []),
    ...(options.timestamp === false ? [] : ['--use-signed-timestamps']),
    ...(sigstore.ctLog === undefined ? ['--insecure-ignore-sct=true'] : []),
    ...registryFlags(cli),
    ...(options.extraArgs ?? []),
    options.image,
  ]; // prettier-ignore
  return runCosign(sigstore, cli, args);
}

// cliFor maps a format to the CLI that writes it by default.
function cliFor(format: SignatureFormat | undefined): 'cosign' | 'cosign2' {
  return format === 'legacy' ? 'cosign2' : 'cosign';
}

// registryFlags lets each CLI talk plain HTTP to the loopback registries (v2 has no --allow-http-registry).
function registryFlags(cli: 'cosign' | 'cosign2'): string[] {
  return cli === 'cosign'
    ? ['--allow-http-registry', '--allow-insecure-registry']
    : ['--allow-insecure-registry'];
}

// keylessArgs are the flags shared by sign and attest: the token, where the services are, and the registry.
async function keylessArgs(sigstore: Sigstore, o: KeylessSignOptions): Promise<string[]> {
  const format = o.format ?? 'bundle';
  const tlog = o.tlog ?? format === 'bundle';
  const timestamp = o.timestamp ?? true;
  if (timestamp && sigstore.tsa === undefined)
    throw new Error('timestamp asked for, but the TSA is not running');
  const tokenFile = path.join(await scratch(sigstore), `token-${randomBytes(4).toString('hex')}.jwt`);
  await writeFile(tokenFile, o.token, { mode: 0o600 });
  // After signing, cosign checks the result against --trusted-root, SCT included: only with a CT log.
  const verifyAfter = sigstore.ctLog === undefined ? [] : ['--trusted-root', sigstore.trustedRootPath];
  if (format === 'bundle') {
    const signingConfig = await sigstore.signingConfig({ tlog, timestamp });
    return ['--identity-token', tokenFile, '--signing-config', signingConfig, ...verifyAfter,
      ...registryFlags('cosign'), '-y']; // prettier-ignore
  }
  if (tlog)
    throw new Error('the legacy format needs Rekor v1 for a transparency log entry; only Rekor v2 runs');
  return [
    '--identity-token', tokenFile, '--fulcio-url', sigstore.fulcio.url, '--tlog-upload=false',
    ...(timestamp && sigstore.tsa !== undefined ? ['--timestamp-server-url', sigstore.tsa.timestampUrl] : []),
    // Without a CT log cosign v2 cannot check the SCT it insists on; --insecure-skip-verify skips that check.
    ...(sigstore.ctLog === undefined ? ['--insecure-skip-verify=true'] : verifyAfter),
    ...registryFlags('cosign2'), '-y',
  ]; // prettier-ignore
}

// scratch is the folder for token and predicate files, inside the services' folder (removed by stop()).
async function scratch(sigstore: Sigstore): Promise<string> {
  const dir = path.join(sigstore.dir, 'cosign');
  await mkdir(dir, { recursive: true });
  return dir;
}

// mustRun runs cosign and throws with its output unless it exits 0.
async function mustRun(sigstore: Sigstore, cli: 'cosign' | 'cosign2', args: string[]): Promise<void> {
  const r = await runCosign(sigstore, cli, args);
  if (r.code !== 0) throw new Error(`${cli} ${args[0] ?? ''} failed (${r.code}):\n${r.stderr}${r.stdout}`);
}

/** Runs a cosign CLI in the harness's isolated home; resolves with its exit code and output. */
export function runCosign(sigstore: Sigstore, cli: 'cosign' | 'cosign2', args: string[]): Promise<CosignRun> {
  return runCosignIn(path.join(sigstore.dir, 'cosign-home'), cli, args);
}

/** Runs a cosign CLI with `home` as its isolated HOME (child-env.ts) and `extra` in its environment. */
export function runCosignIn(
  home: string,
  cli: 'cosign' | 'cosign2',
  args: string[],
  extra: NodeJS.ProcessEnv = {},
): Promise<CosignRun> {
  const env = isolatedEnv(home, extra);
  return new Promise((resolve) => {
    execFile(
      sigstoreTool(cli),
      args,
      { env, timeout: COSIGN_KEYLESS_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        const why = err !== null && err.killed ? `\n(killed after ${COSIGN_KEYLESS_TIMEOUT_MS} ms)` : '';
        resolve({ code, stdout, stderr: stderr + why });
      },
    );
  });
}
