import { MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE } from './limits';

const MINUTE_MS = 60_000;

/**
 * Caps the negative results one process writes per minute (a fixed window). Images that fail verification
 * are attacker-choosable, so without a cap a stream of bad images would fill Valkey with short-lived entries.
 */
export class NegativeBudget {
  private windowStart = -Infinity;
  private used = 0;

  constructor(
    private readonly now: () => number,
    private readonly perMinute = MAX_SHARED_NEGATIVE_WRITES_PER_MINUTE,
  ) {}

  // take spends one write if the current minute has any left.
  take(): boolean {
    const at = this.now();
    if (at - this.windowStart >= MINUTE_MS) {
      this.windowStart = at;
      this.used = 0;
    }
    if (this.used >= this.perMinute) return false;
    this.used += 1;
    return true;
  }
}
