/**
 * How much detail the monitor keeps, chosen by load:
 * - `detailed`: every event goes to the ring buffer;
 * - `sampled`: a share of events (10 %, 5 % or 1 %) goes to the ring buffer;
 * - `aggregated`: counters and latencies only.
 */
export type MonitorMode = 'detailed' | 'sampled' | 'aggregated';

/** Below this many operations per second every event is kept. */
export const DETAILED_BELOW_OPS = 100;
/** Above this many operations per second no event is kept. */
export const AGGREGATED_ABOVE_OPS = 1000;
/** Share of events kept in `sampled` mode, by operations per second (inclusive upper bounds). */
export const SAMPLE_RATES: ReadonlyArray<{ readonly upToOps: number; readonly rate: number }> = [
  { upToOps: 200, rate: 0.1 },
  { upToOps: 500, rate: 0.05 },
  { upToOps: AGGREGATED_ABOVE_OPS, rate: 0.01 },
];

/** The mode for a load. */
export function modeFor(opsPerSecond: number): MonitorMode {
  if (opsPerSecond < DETAILED_BELOW_OPS) return 'detailed';
  if (opsPerSecond > AGGREGATED_ABOVE_OPS) return 'aggregated';
  return 'sampled';
}

/** The share of events kept at a load: 1 when detailed, 0 when aggregated. */
export function sampleRateFor(opsPerSecond: number): number {
  if (opsPerSecond < DETAILED_BELOW_OPS) return 1;
  for (const { upToOps, rate } of SAMPLE_RATES) if (opsPerSecond <= upToOps) return rate;
  return 0;
}

export interface AdaptiveSamplerOptions {
  /** Length of the sliding window the rate is measured over, in ms. @default 1000 */
  windowMs?: number;
  /** Buckets the window is cut into; the window slides one bucket at a time. @default 10 */
  buckets?: number;
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
  /** Uniform random number in [0, 1). @default Math.random */
  random?: () => number;
}

/**
 * Counts operations over a sliding window and decides, per operation, whether its event is kept.
 * Bucketed counts keep `tick()` O(1) without allocating, whatever the load.
 */
export class AdaptiveSampler {
  private readonly counts: Uint32Array;
  private readonly bucketMs: number;
  private readonly windowSeconds: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Absolute number (time / bucketMs) of the newest bucket. */
  private current: number;
  /** Slot of the newest bucket in `counts`. */
  private index: number;
  private total = 0;

  constructor(options: AdaptiveSamplerOptions = {}) {
    const windowMs = options.windowMs ?? 1000;
    const buckets = options.buckets ?? 10;
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be positive, got ${windowMs}`);
    if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
    this.counts = new Uint32Array(buckets);
    this.bucketMs = windowMs / buckets;
    this.windowSeconds = windowMs / 1000;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
    this.current = Math.floor(this.now() / this.bucketMs);
    this.index = this.slot(this.current);
  }

  /** Counts one operation (included in the rate) and answers whether its event should be kept. */
  tick(): boolean {
    this.slide();
    this.counts[this.index]++;
    this.total++;
    const rate = sampleRateFor(this.total / this.windowSeconds);
    if (rate === 1) return true;
    if (rate === 0) return false;
    return this.random() < rate;
  }

  /** Operations per second over the window. */
  opsPerSecond(): number {
    this.slide();
    return this.total / this.windowSeconds;
  }

  mode(): MonitorMode {
    return modeFor(this.opsPerSecond());
  }

  /** Share of events kept at the current load. */
  sampleRate(): number {
    return sampleRateFor(this.opsPerSecond());
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.current = Math.floor(this.now() / this.bucketMs);
    this.index = this.slot(this.current);
  }

  /** Drops the buckets that fell out of the window since the last call. */
  private slide(): void {
    const bucket = Math.floor(this.now() / this.bucketMs);
    if (bucket === this.current) return;
    const gap = bucket - this.current;
    const n = this.counts.length;
    if (gap >= n || gap < 0) {
      // The whole window expired, or the clock went backwards: start afresh.
      this.counts.fill(0);
      this.total = 0;
    } else {
      for (let i = 1; i <= gap; i++) {
        const idx = this.slot(this.current + i);
        this.total -= this.counts[idx];
        this.counts[idx] = 0;
      }
    }
    this.current = bucket;
    this.index = this.slot(bucket);
  }

  private slot(bucket: number): number {
    const n = this.counts.length;
    return ((bucket % n) + n) % n;
  }
}
