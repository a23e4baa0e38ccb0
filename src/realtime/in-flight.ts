/**
 * Counts the socket events being handled, so a draining pod can wait for the last ack. A counter,
 * not a set of the handlers' promises: the set's table and the promise each `finally` added lived
 * longer than the handlers and were promoted to the old generation, about a quarter of what the
 * send path promoted at half load (docs/benchmark.md, ninth pass).
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  begin(): void {
    this.count++;
  }

  end(): void {
    if (--this.count > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once no event is being handled: at once when none is. */
  idle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
