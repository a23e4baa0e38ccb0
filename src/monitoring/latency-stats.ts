/** Duration percentiles of one operation type, in ms, over its most recent samples. */
export interface LatencySummary {
  /** Durations the percentiles are computed from (at most the window size). */
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of ascending `sorted` values; 0 for no values. `p` is in (0, 100]. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.ceil((p / 100) * n);
  return sorted[Math.min(n, Math.max(1, rank)) - 1];
}

/** Microsecond precision is plenty for display and keeps JSON short. */
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The last `capacity` durations of one operation type; recording is one store, no allocation. */
export class LatencyWindow {
  private readonly values: Float64Array;
  private next = 0;
  private length = 0;

  /** @param capacity durations kept; @default 1024 */
  constructor(readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.values = new Float64Array(capacity);
  }

  get size(): number {
    return this.length;
  }

  add(ms: number): void {
    this.values[this.next] = ms;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.length < this.capacity) this.length++;
  }

  summary(): LatencySummary {
    // Sorting a copy costs O(n log n) on read, so the write path stays trivial.
    const sorted = this.values.slice(0, this.length).sort();
    return {
      samples: this.length,
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(this.length ? sorted[this.length - 1] : 0),
    };
  }

  clear(): void {
    this.next = 0;
    this.length = 0;
  }
}

/** A latency window per operation type. */
export class LatencyStats<Op extends string = string> {
  private readonly windows = new Map<Op, LatencyWindow>();

  /** @param windowSize durations kept per operation type; @default 1024 */
  constructor(private readonly windowSize = 1024) {}

  record(op: Op, ms: number): void {
    let window = this.windows.get(op);
    if (!window) {
      window = new LatencyWindow(this.windowSize);
      this.windows.set(op, window);
    }
    window.add(ms);
  }

  /** Percentiles of every operation type seen so far. */
  summary(): Partial<Record<Op, LatencySummary>> {
    const out: Partial<Record<Op, LatencySummary>> = {};
    for (const [op, window] of this.windows) out[op] = window.summary();
    return out;
  }

  clear(): void {
    this.windows.clear();
  }
}
