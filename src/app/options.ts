import { isIP } from 'node:net';
import type { NoMatchAction } from '../policy/compile/compiled.types';
import { readFlagFile } from '../policy-sources/flag-file';
import { ConfigError } from '../errors';
import { MAX_TAG_TTL_MS, TAG_RESOLUTION_TTL_MS } from '../engine/limits';

// readFlagFile lives in sources/ (the layer that reads configuration files) so that sources/ need not import cli/.
export { readFlagFile };

/** Registry flags shared by serve, verify and review, after validation. */
export interface RegistryFlags {
  readonly insecureRegistries: readonly string[];
  readonly registryCa?: string;
  readonly noMatch: NoMatchAction;
  /** Contents of --docker-config files: pull credentials, never logged. */
  readonly dockerConfigs: readonly string[];
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9]([a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?)(:\d{1,5})?$/;

// toNoMatch validates --no-match.
export function toNoMatch(value: unknown): NoMatchAction {
  if (value === undefined) return 'deny';
  if (value === 'deny' || value === 'allow' || value === 'warn') return value;
  throw new ConfigError(
    'CONFIG_INVALID_FLAG',
    `--no-match must be deny, allow or warn, not "${String(value)}"`,
  );
}

// toInsecureRegistry validates one --insecure-registry HOST[:PORT] and lower-cases the host.
export function toInsecureRegistry(value: string): string {
  if (!HOST_PORT.test(value)) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--insecure-registry expects HOST[:PORT] (no scheme, no path), not "${value}"`,
    );
  }
  return value.toLowerCase();
}

// toRegistryFlags validates the shared registry flags.
export function toRegistryFlags(raw: {
  insecureRegistry?: string[];
  registryCa?: string;
  noMatch?: string;
  dockerConfig?: string[];
}): RegistryFlags {
  const registryCa = raw.registryCa === undefined ? undefined : readFlagFile('--registry-ca', raw.registryCa);
  if (registryCa !== undefined && !registryCa.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--registry-ca ${raw.registryCa}: no PEM certificate in the file`,
    );
  }
  return {
    insecureRegistries: (raw.insecureRegistry ?? []).map(toInsecureRegistry),
    ...(registryCa === undefined ? {} : { registryCa }),
    noMatch: toNoMatch(raw.noMatch),
    dockerConfigs: (raw.dockerConfig ?? []).map((p) => readFlagFile('--docker-config', p)),
  };
}

// toListen validates --listen HOST:PORT; `--plain-http` is only allowed on loopback.
export function toListen(value: string | undefined, plainHttp: boolean): { host: string; port: number } {
  const raw = value ?? '0.0.0.0:8443';
  const match = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port <= 65535)) {
    throw new ConfigError('CONFIG_INVALID_FLAG', `--listen expects HOST:PORT, not "${raw}"`);
  }
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (plainHttp && !loopback) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--plain-http is for local tests and only binds to loopback; "${host}" is not a loopback address`,
    );
  }
  return { host, port };
}

const TTL = /^(\d{1,6})(s|m)?$/;

// toTagTtlMs validates --tag-ttl (seconds, or 30s / 2m; 0 turns the resolution cache off).
export function toTagTtlMs(value: string | undefined): number {
  if (value === undefined) return TAG_RESOLUTION_TTL_MS;
  const match = TTL.exec(value);
  const ms = match ? Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!(ms >= 0 && ms <= MAX_TAG_TTL_MS)) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--tag-ttl expects seconds (30, 30s or 2m) between 0 and ${MAX_TAG_TTL_MS / 60_000}m, not "${value}"`,
    );
  }
  return ms;
}
