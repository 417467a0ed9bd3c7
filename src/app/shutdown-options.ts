import { ConfigError } from '../errors';
import { DEFAULT_DRAIN_DELAY_MS, MAX_DRAIN_DELAY_MS } from '../server/limits';

const DURATION = /^(\d{1,5})(ms|s)$/;

// toDrainDelayMs validates --drain-delay (e.g. 5s, 500ms, 0s); the default when it is not given.
export function toDrainDelayMs(value: string | undefined): number {
  if (value === undefined) return DEFAULT_DRAIN_DELAY_MS;
  const match = DURATION.exec(value);
  const ms = match === null ? NaN : Number(match[1]) * (match[2] === 's' ? 1000 : 1);
  if (!(ms >= 0 && ms <= MAX_DRAIN_DELAY_MS)) {
    throw new ConfigError(
      'CONFIG_INVALID_FLAG',
      `--drain-delay expects a duration from 0s to ${MAX_DRAIN_DELAY_MS / 1000}s (e.g. 5s, 500ms), not "${value}"`,
    );
  }
  return ms;
}
