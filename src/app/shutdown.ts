import type { Logger } from 'pino';
import type { Drain } from '../server/drain';
import { SHUTDOWN_GRACE_MS } from '../server/limits';

/** What `serve` hands over to be stopped in order. */
export interface ShutdownPlan {
  readonly drain: Drain;
  /** How long the listener stays open after SIGTERM with /readyz failing (--drain-delay). */
  readonly drainDelayMs: number;
  readonly logger: Logger;
  /** Closes the listeners; resolves once the requests in flight have been answered. */
  readonly closeServers: () => Promise<unknown>;
  /** Stops the rest (informers, rotator, timers) after the listeners are closed. */
  readonly stopRest: () => Promise<unknown>;
  /** Where the signals come from; the process unless a test hands in an emitter. */
  readonly signals?: { once(event: NodeJS.Signals, listener: () => void): unknown };
  /** Bound on closing the servers plus stopping the rest; SHUTDOWN_GRACE_MS unless a test says otherwise. */
  readonly graceMs?: number;
}

// sleep waits `ms` without keeping the process alive for it alone.
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

// within resolves when `work` settles or `ms` passes, whichever is first; true when the work finished.
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, sleep(ms).then(() => false)]);
}

/**
 * Resolves once the webhook has stopped after SIGTERM or SIGINT. SIGTERM (the kubelet) drains first: /readyz
 * fails and answers close their connections for drainDelayMs, so endpoints controllers and the API servers'
 * keep-alive connections move to other replicas, while requests keep being judged. Then the listeners close:
 * new connections are refused, idle ones are dropped, requests in flight are answered. SIGINT (a terminal)
 * skips the drain delay. Whatever is still running after the grace period is abandoned (logged).
 */
export function waitForShutdown(plan: ShutdownPlan): Promise<void> {
  const signals = plan.signals ?? process;
  const graceMs = plan.graceMs ?? SHUTDOWN_GRACE_MS;
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = async (signal: NodeJS.Signals): Promise<void> => {
      if (stopping) return;
      stopping = true;
      plan.drain.start();
      const delay = signal === 'SIGTERM' ? plan.drainDelayMs : 0;
      plan.logger.info({ signal, drainDelayMs: delay }, 'shutting down: draining, /readyz now fails');
      await sleep(delay);
      plan.logger.info('closing the listener; answering the requests in flight');
      const started = Date.now();
      const closed = await within(plan.closeServers(), graceMs);
      const stopped = await within(plan.stopRest(), Math.max(0, graceMs - (Date.now() - started)));
      if (!closed || !stopped) {
        plan.logger.warn({ graceMs, listenersClosed: closed }, 'shutdown grace period over; exiting anyway');
      }
      resolve();
    };
    signals.once('SIGTERM', () => void stop('SIGTERM'));
    signals.once('SIGINT', () => void stop('SIGINT'));
  });
}
