/**
 * Whether the webhook is shutting down. Once draining, /readyz fails (so endpoints controllers and load balancers
 * stop sending new calls) and every answer carries `Connection: close` (so keep-alive clients reconnect, reaching
 * another replica), while requests keep being judged until the listener closes.
 */
export class Drain {
  private started = false;

  /** True from the first start() on; never goes back. */
  get draining(): boolean {
    return this.started;
  }

  // start marks the server as draining; calling it again changes nothing.
  start(): void {
    this.started = true;
  }
}
