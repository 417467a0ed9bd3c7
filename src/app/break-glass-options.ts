import {
  DEFAULT_BREAK_GLASS_SETTINGS,
  type BreakGlassSettings,
  type BreakGlassUngoverned,
} from '../policy/decide/break-glass';
import { ConfigError } from '../errors';

/** The break-glass flags of `serve` and `review`, as commander hands them over. */
export interface BreakGlassFlags {
  /** Repeatable; each value may be a comma list. Given at all, it replaces the defaults ("" trusts none). */
  breakGlassTrustedControllers?: string[];
  breakGlassUngoverned?: string;
}

/** Longest user name accepted in --break-glass-trusted-controllers (a service account's is at most 339). */
export const MAX_TRUSTED_CONTROLLER_NAME_CHARS = 512;

// Kubernetes groups that are easy to mistake for users here; trusting a group would skip allowedGroups for everyone in it.
const WELL_KNOWN_GROUPS = /^system:(authenticated|unauthenticated|masters|nodes|serviceaccounts(:.*)?)$/;
const UNSAFE = /[\s\p{Cc}\p{Cf}]/u;

// invalid builds the usage error of one flag.
function invalid(message: string): ConfigError {
  return new ConfigError('CONFIG_INVALID_FLAG', message);
}

// toUserName validates one entry of --break-glass-trusted-controllers.
function toUserName(name: string): string {
  const flag = '--break-glass-trusted-controllers';
  if (name.length > MAX_TRUSTED_CONTROLLER_NAME_CHARS)
    throw invalid(`${flag}: a user name has at most ${MAX_TRUSTED_CONTROLLER_NAME_CHARS} characters`);
  if (UNSAFE.test(name))
    throw invalid(
      `${flag} expects user names (no spaces or control characters), not ${JSON.stringify(name)}`,
    );
  if (WELL_KNOWN_GROUPS.test(name))
    throw invalid(`${flag}: "${name}" is a group, not a user name; list the controllers' user names`);
  return name;
}

// toUngoverned validates --break-glass-ungoverned.
function toUngoverned(value: string | undefined): BreakGlassUngoverned {
  if (value === undefined) return DEFAULT_BREAK_GLASS_SETTINGS.ungoverned;
  if (value === 'admit' || value === 'deny') return value;
  throw invalid(`--break-glass-ungoverned must be admit or deny, not "${value}"`);
}

/** Validates the break-glass flags; without them, the defaults (docs/policy.md, "Break-glass"). */
export function toBreakGlassSettings(flags: BreakGlassFlags): BreakGlassSettings {
  const ungoverned = toUngoverned(flags.breakGlassUngoverned);
  const raw = flags.breakGlassTrustedControllers;
  if (raw === undefined) return { ...DEFAULT_BREAK_GLASS_SETTINGS, ungoverned };
  const names = raw.flatMap((value) => value.split(',')).map((name) => name.trim());
  const trustedControllers = [...new Set(names.filter((name) => name !== '').map(toUserName))];
  return { trustedControllers, ungoverned };
}
