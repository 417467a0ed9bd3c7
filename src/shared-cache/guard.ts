// Bounds every Valkey command: by SHARED_CACHE_OP_TIMEOUT_MS, by the caller's deadline and signal, by a cap on
// commands in flight, and by a breaker that skips Valkey for a while after failures in a row. Whatever goes
// wrong, the caller gets FELL_BACK at once or within the op timeout, never an exception and never a wait.
import type { Logger } from 'pino';
import {
  MAX_SHARED_CACHE_IN_FLIGHT,
  SHARED_CACHE_BREAKER_FAILURES,
  SHARED_CACHE_BREAKER_OPEN_MS,
  SHARED_CACHE_FALLBACK_LOG_INTERVAL_MS,
  SHARED_CACHE_OP_TIMEOUT_MS,
} from './limits';
import { errorLine, LogEvery } from './log-every';
import type { SharedCacheMetrics } from './metrics';
import type { CallBounds } from './shared-cache.types';

/** What a bounded command gives back when it did not complete in time (or was never sent). */
export const FELL_BACK: unique symbol = Symbol('shared-cache fell back');
export type FellBack = typeof FELL_BACK;

/** The operations the fallback metric and log name. */
export type GuardedOp = 'get' | 'set' | 'lock' | 'release';

/** Why a command fell back; logged, not a metric label. */
type FallbackReason = 'disconnected' | 'breaker' | 'busy' | 'deadline' | 'timeout' | 'error';

export interface GuardDeps {
  /** Whether the client can send a command now (connected and ready). */
  readonly ready: () => boolean;
  /** Called when the breaker opens: recycles a connection that may be stalled (its queue is dropped). */
  readonly onTrip: () => void;
  readonly metrics: SharedCacheMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}

export class Guard {
  private inFlight = 0;
  private failures = 0;
  private openUntil = -Infinity;
  private readonly logs: LogEvery;

  constructor(private readonly deps: GuardDeps) {
    this.logs = new LogEvery(SHARED_CACHE_FALLBACK_LOG_INTERVAL_MS, deps.now);
  }

  // run sends one command through every bound; FELL_BACK when it could not or did not answer in time.
  async run<T>(op: GuardedOp, bounds: CallBounds, command: () => Promise<T>): Promise<T | FellBack> {
    if (bounds.signal?.aborted === true) return FELL_BACK;
    const now = this.deps.now();
    const refusal = this.refusal(now);
    if (refusal !== undefined) return this.fallback(op, refusal);
    const budget = Math.min(SHARED_CACHE_OP_TIMEOUT_MS, (bounds.deadline ?? Infinity) - now);
    if (budget <= 0) return this.fallback(op, 'deadline');
    this.inFlight += 1;
    let sent: Promise<T>;
    try {
      sent = command();
    } catch (error) {
      this.inFlight -= 1;
      return this.failed(op, 'error', error);
    }
    // The command stays counted until Valkey answers or the connection drops, whoever stopped waiting.
    const settled = sent.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    void settled.then(() => (this.inFlight -= 1));
    const outcome = await raceTimeout(settled, budget, bounds.signal);
    if (outcome === 'timeout') return this.failed(op, 'timeout');
    if (outcome === 'aborted') return FELL_BACK;
    if ('error' in outcome) return this.failed(op, 'error', outcome.error);
    this.failures = 0;
    return outcome.value;
  }

  // refusal says why a command must not be sent at all right now.
  private refusal(now: number): FallbackReason | undefined {
    if (now < this.openUntil) return 'breaker';
    if (!this.deps.ready()) return 'disconnected';
    if (this.inFlight >= MAX_SHARED_CACHE_IN_FLIGHT) return 'busy';
    return undefined;
  }

  // failed counts a failure towards the breaker, and opens it after too many in a row.
  private failed(op: GuardedOp, reason: FallbackReason, error?: unknown): FellBack {
    this.failures += 1;
    if (this.failures >= SHARED_CACHE_BREAKER_FAILURES) {
      this.failures = 0;
      this.openUntil = this.deps.now() + SHARED_CACHE_BREAKER_OPEN_MS;
      this.deps.onTrip();
    }
    return this.fallback(op, reason, error);
  }

  // fallback counts the fallback and logs it, at most once per interval and operation.
  private fallback(op: GuardedOp, reason: FallbackReason, error?: unknown): FellBack {
    this.deps.metrics.fallbacks.inc({ op });
    if (this.logs.due(op)) {
      this.deps.logger.warn(
        { op, reason, ...(error === undefined ? {} : { error: errorLine(error) }) },
        'shared cache (Valkey) unavailable: falling back to the local path',
      );
    }
    return FELL_BACK;
  }
}

// raceTimeout waits for `settled`, at most `ms`, and not past an abort. When the timer fires, the timeout is
// decided one loop turn later (setImmediate runs after the poll phase): if this process's own event loop was
// blocked past `ms` (a burst of requests), a reply already waiting in the socket is read first and wins, so the
// timeout measures Valkey, not this process's lag.
function raceTimeout<T>(
  settled: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<T | 'timeout' | 'aborted'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => setImmediate(() => done('timeout')), ms);
    const onAbort = (): void => done('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    // done settles once and removes the timer and the listener.
    function done(result: T | 'timeout' | 'aborted'): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    }
    void settled.then(done);
  });
}
