// Starts a whole local Sigstore for one test file: three OIDC issuers, Fulcio (private CA, CT log),
// TesseraCT, a timestamp authority and Rekor v2, all on 127.0.0.1, plus the trusted root that describes
// exactly them. stop() ends every process and removes the folder.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { startCtLog, type CtLog } from './ct-log';
import { startFulcio, type Fulcio } from './fulcio';
import { startOidcIssuer, type Claims, type MintOptions, type OidcIssuer } from './oidc-issuer';
import { createPrivateCa, type PrivateCa } from './pki';
import { startRekor, type Rekor } from './rekor';
import { startTimestampAuthority, type TimestampAuthority } from './timestamp-authority';
import { emailClaims, githubClaims, type GithubWorkflow } from './tokens';
import { writeSigningConfig, writeTrustedRoot, type ServiceMaterial, type SigningServices } from './trust';

export interface SigstoreOptions {
  /** Run TesseraCT and have Fulcio embed SCTs (default true). Without it certificates carry no SCT. */
  readonly ctLog?: boolean;
  /** Run Rekor v2 (default true). */
  readonly rekor?: boolean;
  /** Run the timestamp authority (default true). */
  readonly tsa?: boolean;
}

/** The issuers Fulcio trusts: two person issuers at different URLs, and a GitHub Actions look-alike. */
export interface Issuers {
  /** Fulcio type `email`. */
  readonly primary: OidcIssuer;
  /** Fulcio type `email`, another URL: for "signed by the right email, wrong issuer" tests. */
  readonly secondary: OidcIssuer;
  /** Fulcio type `github-workflow`: its certificates carry the build extensions. */
  readonly github: OidcIssuer;
}

export interface Sigstore {
  /** Holds every service's files and trusted_root.json; removed by stop(). */
  readonly dir: string;
  readonly issuers: Issuers;
  readonly ca: PrivateCa;
  readonly fulcio: Fulcio;
  readonly ctLog?: CtLog;
  readonly rekor?: Rekor;
  readonly tsa?: TimestampAuthority;
  /** The trusted root (cosign's `--trusted-root`) for exactly these services. */
  readonly trustedRootPath: string;
  /** The same, parsed (a sigstore `TrustedRoot` in its JSON form). */
  readonly trustedRoot: Record<string, unknown>;
  /** Process-group ids of the services, for leak checks. */
  readonly pids: readonly number[];
  /** A signing config naming Fulcio plus Rekor and/or the TSA; written once per combination. */
  signingConfig(use: SigningServices): Promise<string>;
  /** An ID token for a person: `email` claims from `primary` (or `secondary`). */
  emailToken(email: string, options?: TokenOptions): string;
  /** An ID token of a GitHub Actions run from `github`. */
  githubToken(workflow?: Partial<GithubWorkflow>, options?: TokenOptions): string;
  stop(): Promise<void>;
}

export interface TokenOptions extends MintOptions {
  readonly issuer?: keyof Issuers;
  /** Claims added to (or replacing) the usual ones. */
  readonly extra?: Claims;
}

/** Starts the services in order (issuers before Fulcio, CT log before Fulcio) and writes the trusted root. */
export async function startSigstore(options: SigstoreOptions = {}): Promise<Sigstore> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'portcullis-sigstore-'));
  const stops: (() => Promise<void>)[] = [];
  const pids: number[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
    await rm(dir, { recursive: true, force: true });
  };
  const track = <T extends { stop(): Promise<void>; pid?: number }>(s: T): T => {
    stops.push(() => s.stop());
    if (s.pid !== undefined) pids.push(s.pid);
    return s;
  };
  const close = (i: OidcIssuer): OidcIssuer => {
    stops.push(() => i.close());
    return i;
  };
  try {
    const issuers: Issuers = {
      primary: close(await startOidcIssuer('primary')),
      secondary: close(await startOidcIssuer('secondary')),
      github: close(await startOidcIssuer('github')),
    };
    const ca = await createPrivateCa('portcullis-test Fulcio');
    const [ctLog, rekor, tsa] = await Promise.all([
      options.ctLog === false ? undefined : startCtLog(path.join(dir, 'ctlog'), ca.root.certPem).then(track),
      options.rekor === false ? undefined : startRekor(path.join(dir, 'rekor')).then(track),
      options.tsa === false ? undefined : startTimestampAuthority(path.join(dir, 'tsa')).then(track),
    ]);
    const fulcio = track(
      await startFulcio({
        dir: path.join(dir, 'fulcio'),
        ca,
        ctLog,
        issuers: [
          { url: issuers.primary.url, type: 'email' },
          { url: issuers.secondary.url, type: 'email' },
          { url: issuers.github.url, type: 'github-workflow' },
        ],
      }),
    );
    const material: ServiceMaterial = {
      fulcio,
      oidcIssuerUrl: issuers.primary.url,
      ...(ctLog && { ctLog }),
      ...(rekor && { rekor }),
      ...(tsa && { tsa }),
    };
    const trustDir = path.join(dir, 'trust');
    await mkdir(trustDir);
    const trustedRootPath = await writeTrustedRoot(trustDir, material);
    const trustedRoot = JSON.parse(await readFile(trustedRootPath, 'utf8')) as Record<string, unknown>;
    const configs = new Map<string, Promise<string>>();
    return {
      dir,
      issuers,
      ca,
      fulcio,
      ...(ctLog && { ctLog }),
      ...(rekor && { rekor }),
      ...(tsa && { tsa }),
      trustedRootPath,
      trustedRoot,
      pids,
      signingConfig: (use) => {
        const key = `${use.tlog}/${use.timestamp}`;
        if (!configs.has(key)) configs.set(key, writeSigningConfig(trustDir, material, use));
        return configs.get(key) as Promise<string>;
      },
      emailToken: (email, o = {}) => issuers[o.issuer ?? 'primary'].mint(emailClaims(email, o.extra), o),
      githubToken: (workflow = {}, o = {}) =>
        issuers[o.issuer ?? 'github'].mint(githubClaims(workflow, o.extra), o),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
