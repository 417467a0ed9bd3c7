import { readFileSync } from 'node:fs';
import { ConfigError, describeUnknown } from '../errors';
import { readFlagFile } from '../policy-sources/flag-file';
import { egressRefusal } from '../registry/http/egress';
import { MIN_SHARED_CACHE_HMAC_KEY_BYTES, toValkeyAddress } from '../shared-cache';

/** The Valkey flags of `serve`, as commander hands them over. */
export interface SharedCacheFlags {
  valkeyUrl?: string;
  valkeyPasswordFile?: string;
  valkeyCaFile?: string;
  valkeyHmacKeyFile?: string;
}

/** The shared-cache settings after validation: everything createSharedCache needs but the logger and metrics. */
export interface SharedCacheSettings {
  readonly url: string;
  readonly password?: string;
  readonly ca?: string;
  readonly hmacKey: Buffer;
  readonly keyPrefix: string;
}

/** Every key this deployment writes starts with it. */
export const SHARED_CACHE_KEY_PREFIX = 'portcullis';

// invalid builds the usage error of one flag.
function invalid(message: string, cause?: unknown): ConfigError {
  return new ConfigError('CONFIG_INVALID_FLAG', message, cause === undefined ? {} : { cause });
}

/**
 * Validates the Valkey flags. Without `--valkey-url` there is no shared cache, and the other Valkey flags are
 * refused alone rather than silently ignored. With it, `--valkey-hmac-key-file` is required: an entry nobody
 * can authenticate would let anyone who can write to Valkey forge verdicts.
 */
export function toSharedCacheSettings(flags: SharedCacheFlags): SharedCacheSettings | undefined {
  if (flags.valkeyUrl === undefined) {
    const stray = (['valkeyPasswordFile', 'valkeyCaFile', 'valkeyHmacKeyFile'] as const).find(
      (f) => flags[f] !== undefined,
    );
    if (stray !== undefined) throw invalid(`${flagName(stray)} needs --valkey-url`);
    return undefined;
  }
  const tls = checkUrl(flags.valkeyUrl);
  if (flags.valkeyHmacKeyFile === undefined) {
    throw invalid('--valkey-url needs --valkey-hmac-key-file, the key that authenticates every shared entry');
  }
  const hmacKey = toHmacKey(flags.valkeyHmacKeyFile);
  const password = flags.valkeyPasswordFile === undefined ? undefined : toPassword(flags.valkeyPasswordFile);
  const ca = flags.valkeyCaFile === undefined ? undefined : toCa(flags.valkeyCaFile, tls);
  return {
    url: flags.valkeyUrl,
    hmacKey,
    keyPrefix: SHARED_CACHE_KEY_PREFIX,
    ...(password === undefined ? {} : { password }),
    ...(ca === undefined ? {} : { ca }),
  };
}

// checkUrl validates --valkey-url (scheme, no password, egress rule) and says whether it is TLS.
function checkUrl(raw: string): boolean {
  let address;
  try {
    address = toValkeyAddress(raw);
  } catch (error) {
    throw invalid(`--valkey-url: ${describeUnknown(error)}`, error);
  }
  const why = egressRefusal(address.host);
  if (why !== undefined) throw invalid(`--valkey-url: ${why}`);
  return address.tls;
}

// toHmacKey reads the key file as bytes (one trailing newline dropped) and refuses a short key.
function toHmacKey(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ConfigError(
      'CONFIG_FILE_UNREADABLE',
      `--valkey-hmac-key-file ${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
  const key = stripNewline(bytes);
  if (key.length < MIN_SHARED_CACHE_HMAC_KEY_BYTES) {
    throw invalid(
      `--valkey-hmac-key-file ${path}: the key is ${key.length} bytes; at least ${MIN_SHARED_CACHE_HMAC_KEY_BYTES} are needed`,
    );
  }
  return key;
}

// toPassword reads --valkey-password-file (one trailing newline dropped); an empty password is a mistake.
function toPassword(path: string): string {
  const password = readFlagFile('--valkey-password-file', path).replace(/\r?\n$/, '');
  if (password === '') throw invalid(`--valkey-password-file ${path}: the file is empty`);
  return password;
}

// toCa reads --valkey-ca-file, which only means something for a rediss:// URL.
function toCa(path: string, tls: boolean): string {
  if (!tls) throw invalid('--valkey-ca-file needs a rediss:// (TLS) --valkey-url');
  const ca = readFlagFile('--valkey-ca-file', path);
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw invalid(`--valkey-ca-file ${path}: no PEM certificate in the file`);
  }
  return ca;
}

// stripNewline drops one trailing \n or \r\n, which editors and `echo` add to a key file.
function stripNewline(bytes: Buffer): Buffer {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0a) end -= 1;
  if (end > 0 && bytes[end - 1] === 0x0d && end < bytes.length) end -= 1;
  return bytes.subarray(0, end);
}

// flagName spells a SharedCacheFlags field as its flag.
function flagName(field: keyof SharedCacheFlags): string {
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
