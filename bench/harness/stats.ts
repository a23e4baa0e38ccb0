// Small statistics for bench figures: exact percentiles of sorted samples, medians of repeats.

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The q-quantile (0..1) of ascending `sorted` by nearest rank; NaN when empty. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: round(quantile(sorted, 0.5)),
    p95: round(quantile(sorted, 0.95)),
    p99: round(quantile(sorted, 0.99)),
    max: round(sorted.length ? (sorted[sorted.length - 1] as number) : NaN),
    mean: round(sorted.length ? sum / sorted.length : NaN),
  };
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

/** The repeat whose `key` is the median one, so its other figures (latencies) stay consistent with it. */
export function medianRun<T>(runs: T[], key: (run: T) => number): T {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[(sorted.length - 1) >> 1] as T;
}

/** Rounds to 3 significant decimals for figures (ms, ratios); keeps NaN as NaN. */
export function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Keeps a uniform random sample of at most `capacity` values (Algorithm R), so a worker can report
 * delivery latencies of a long run without shipping every one.
 */
export class Reservoir {
  readonly values: number[] = [];
  private seen = 0;

  constructor(private readonly capacity: number) {}

  add(v: number): void {
    this.seen++;
    if (this.values.length < this.capacity) this.values.push(v);
    else {
      const i = Math.floor(Math.random() * this.seen);
      if (i < this.capacity) this.values[i] = v;
    }
  }

  get count(): number {
    return this.seen;
  }
}
