import { describeUnknown } from '../errors';

/**
 * The first line of an error's message, for a log line. Only the message: a client error may carry the command
 * and its arguments (AUTH's password) as properties. Duck-typed, since errors from another realm (a worker, a
 * test's VM context) fail `instanceof Error`.
 */
export function errorLine(e: unknown): string {
  const message = typeof e === 'object' && e !== null ? (e as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? (message.split('\n')[0] ?? '') : describeUnknown(e);
}

/** Lets one message per topic through per interval, so that a Valkey outage logs a line, not a flood. */
export class LogEvery {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
  ) {}

  // due says whether the topic may be logged now, and if so starts its next interval.
  due(topic: string): boolean {
    const at = this.now();
    const last = this.last.get(topic);
    if (last !== undefined && at - last < this.intervalMs) return false;
    this.last.set(topic, at);
    return true;
  }
}
