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
