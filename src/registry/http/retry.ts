// Backoff and Retry-After arithmetic for the transport's retry loop (pure functions of time and chance).
import { MAX_RETRIES, MAX_RETRY_AFTER_CHARS, RETRY_BASE_DELAY_MS, RETRY_MAX_DELAY_MS } from '../limits';

/** Statuses that mean "try again later". */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/**
 * Parses Retry-After (delay-seconds or an HTTP date) into milliseconds from `now`. Attacker-controlled:
 * anything unparseable or negative is ignored (undefined).
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(header) ? header[0] : header)?.trim();
  if (v === undefined || v === '' || v.length > MAX_RETRY_AFTER_CHARS) return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[A-Za-z]/.test(v)) return undefined; // an HTTP date names its day and month
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * How long to wait before retry number `attempt` (0-based), or undefined to stop retrying: when retries are
 * used up, or the wait (Retry-After, or exponential backoff with full jitter) would not end before `deadline`.
 */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  now: number,
  deadline: number,
  random: () => number,
): number | undefined {
  if (attempt >= MAX_RETRIES) return undefined;
  const backoff = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
  const delay = retryAfterMs !== undefined ? retryAfterMs : Math.floor(random() * backoff);
  if (delay > RETRY_MAX_DELAY_MS) return undefined;
  // Leave the retry some time to run, not just to start.
  if (now + delay + RETRY_BASE_DELAY_MS >= deadline) return undefined;
  return delay;
}
