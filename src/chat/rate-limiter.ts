/**
 * A token bucket per key (participant, connection or address). Local to the process: a pod limits
 * what reaches it, which bounds each client's share of any pod.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedAt: number }>();

  /**
   * @param capacity burst size
   * @param perSeconds the time in which a full bucket refills
   */
  constructor(
    private readonly capacity: number,
    private readonly perSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait. */
  take(key: string): number {
    const b = this.refilled(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.waitFor(b);
  }

  /** 0 when a token is there to take, else the seconds until one is; takes nothing. */
  peek(key: string): number {
    const b = this.refilled(key);
    return b.tokens >= 1 ? 0 : this.waitFor(b);
  }

  /** Drops `key`'s bucket (a key that will not come back). */
  forget(key: string): void {
    this.buckets.delete(key);
  }

  private get rate(): number {
    return this.capacity / (this.perSeconds * 1000);
  }

  private refilled(key: string): { tokens: number; updatedAt: number } {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.capacity, updatedAt: now };
      this.buckets.set(key, b);
      if (this.buckets.size > 100_000) this.prune(now, this.rate);
    }
    b.tokens = Math.min(this.capacity, b.tokens + (now - b.updatedAt) * this.rate);
    b.updatedAt = now;
    return b;
  }

  private waitFor(b: { tokens: number }): number {
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate / 1000));
  }

  /** Forgets full buckets so idle clients cost no memory. */
  private prune(now: number, rate: number) {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) * rate >= this.capacity) this.buckets.delete(key);
    }
  }
}
