import { accessSync, constants, mkdirSync } from 'node:fs';
import { ConfigError, describeUnknown } from '../errors';
import { checkEgressUrl } from '../registry/http/egress';
import { readFlagFile } from '../policy-sources/flag-file';
import {
  DEFAULT_TUF_REFRESH_INTERVAL_MS,
  MAX_TUF_REFRESH_INTERVAL_MS,
  MIN_TUF_REFRESH_INTERVAL_MS,
} from '../trust-roots/limits';
import type { TufMirror } from '../trust-roots/public-good-root';
import { PUBLIC_GOOD_MIRROR } from '../verifiers/cosign/public-good';

/** The TUF flags of `serve` (and `verify`/`review`, which refresh once), as commander hands them over. */
export interface TufFlags {
  tufMirror?: string;
  tufRoot?: string;
  tufCacheDir?: string;
  tufRefreshInterval?: string;
}

const DURATION = /^(\d{1,7})(s|m|h|d)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

// invalid builds the usage error of one flag.
function invalid(message: string, cause?: unknown): ConfigError {
  return new ConfigError('CONFIG_INVALID_FLAG', message, cause === undefined ? {} : { cause });
}

/**
 * Validates the TUF flags. Without `--tuf-mirror` there is no refresh and no network access (the embedded
 * public-good root is used), so the other TUF flags are refused alone rather than silently ignored.
 */
export function toTufMirror(flags: TufFlags): TufMirror | undefined {
  if (flags.tufMirror === undefined) {
    const stray = (['tufRoot', 'tufCacheDir', 'tufRefreshInterval'] as const).find(
      (f) => flags[f] !== undefined,
    );
    if (stray !== undefined) throw invalid(`${flagName(stray)} needs --tuf-mirror`);
    return undefined;
  }
  const url = toMirrorUrl(flags.tufMirror);
  if (flags.tufRoot === undefined && url !== PUBLIC_GOOD_MIRROR) {
    throw invalid(
      `--tuf-mirror ${url} needs --tuf-root FILE, the TUF root.json to start from (only the public-good mirror's is built in)`,
    );
  }
  if (flags.tufRoot !== undefined) checkTufRoot(flags.tufRoot);
  if (flags.tufCacheDir !== undefined) checkCacheDir(flags.tufCacheDir);
  return {
    url,
    ...(flags.tufRoot === undefined ? {} : { rootPath: flags.tufRoot }),
    ...(flags.tufCacheDir === undefined ? {} : { cacheDir: flags.tufCacheDir }),
    refreshIntervalMs: toRefreshIntervalMs(flags.tufRefreshInterval),
  };
}

// toMirrorUrl accepts an http(s) base URL without credentials, query or fragment, and applies the egress rule.
function toMirrorUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(`--tuf-mirror expects an http(s) URL, not ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`--tuf-mirror expects an http(s) URL, not ${JSON.stringify(raw)}`);
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw invalid('--tuf-mirror takes a plain base URL: no credentials, query or fragment');
  }
  try {
    checkEgressUrl(url);
  } catch (error) {
    throw invalid(`--tuf-mirror: ${describeUnknown(error)}`, error);
  }
  return url.href.replace(/\/+$/, '');
}

// checkTufRoot reads --tuf-root once, so that a wrong file fails at start rather than at every refresh.
function checkTufRoot(path: string): void {
  const text = readFlagFile('--tuf-root', path);
  let type: unknown;
  try {
    type = (JSON.parse(text) as { signed?: { _type?: unknown } }).signed?._type;
  } catch {
    type = undefined;
  }
  if (type !== 'root') throw invalid(`--tuf-root ${path}: not a TUF root.json (signed._type "root")`);
}

// checkCacheDir creates the cache folder (owner only) and checks that it is writable.
function checkCacheDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new ConfigError('CONFIG_FILE_UNREADABLE', `--tuf-cache-dir ${dir}: ${describeUnknown(error)}`, {
      cause: error,
    });
  }
}

// toRefreshIntervalMs validates --tuf-refresh-interval (e.g. 1h, 30m, 1d).
function toRefreshIntervalMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_TUF_REFRESH_INTERVAL_MS;
  const match = DURATION.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
  if (!(ms >= MIN_TUF_REFRESH_INTERVAL_MS && ms <= MAX_TUF_REFRESH_INTERVAL_MS)) {
    throw invalid(
      `--tuf-refresh-interval expects a duration like 1h, 30m or 1d between ${MIN_TUF_REFRESH_INTERVAL_MS / 60_000}m ` +
        `and ${MAX_TUF_REFRESH_INTERVAL_MS / 86_400_000}d, not "${value}"`,
    );
  }
  return ms;
}

// flagName spells a TufFlags field as its flag.
function flagName(field: keyof TufFlags): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
