/**
 * Coalesces concurrent calls for one key into a single execution: a burst of cache misses makes
 * one database query. `forget(key)` detaches the running call so that callers arriving after an
 * invalidating write start a fresh one instead of joining a call that may have read old data.
 */
export class SingleFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  /** Runs `fn` for `key` unless a call is already running; `joined` tells the caller which happened. */
  run(key: string, fn: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const existing = this.running.get(key);
    if (existing) return { promise: existing, joined: true };
    const promise = (async () => fn())().finally(() => {
      if (this.running.get(key) === promise) this.running.delete(key);
    });
    this.running.set(key, promise);
    return { promise, joined: false };
  }

  forget(key: string): void {
    this.running.delete(key);
  }

  get size(): number {
    return this.running.size;
  }
}
