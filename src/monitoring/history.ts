import type { MonitorMetrics } from './monitor';
import { RingBuffer } from './ring-buffer';
import type { PodGauges, RedisMemory } from './gauges';

export type { PodGauges, RedisMemory } from './gauges';

/** One point of a pod's history, taken at each publish (every 2 s). Rates and deltas cover the time since the previous point. */
export interface HistoryPoint {
  /** epoch ms */
  t: number;
  ops_per_second: number;
  /** cache reads and hits since the previous point: the hit rate is hits / reads, none without reads */
  reads: number;
  hits: number;
  /** the worst operation's p95 and p99 (ms) over the latency window; null before any operation */
  p95_ms: number | null;
  p99_ms: number | null;
  /** store and server errors since the previous point */
  errors: number;
  /** client errors (4xx refusals) since the previous point */
  client_errors: number;
  sockets: number | null;
  repair_queue: number | null;
}

/** @default 450 points: 15 minutes at one point every 2 s. */
export const HISTORY_POINTS = 450;
/** How far back the charts go. */
export const HISTORY_MS = 15 * 60_000;

/** The pod's recent points in a bounded ring; each point is the difference between two snapshots' counters. */
export class PodHistory {
  private readonly ring: RingBuffer<HistoryPoint>;
  private last: MonitorMetrics | null = null;

  constructor(capacity = HISTORY_POINTS) {
    this.ring = new RingBuffer(capacity);
  }

  /** Adds the point between the previous metrics and these; returns it. */
  add(t: number, m: MonitorMetrics, gauges: PodGauges): HistoryPoint {
    const prev = this.last;
    // After a reset the counters start again below the previous ones: count from zero.
    const delta = (now: number, before: number | undefined) => Math.max(0, now - (before !== undefined && before <= now ? before : 0));
    const latencies = Object.values(m.latency_ms).filter((l) => l && l.samples > 0);
    const point: HistoryPoint = {
      t,
      ops_per_second: m.ops_per_second,
      reads: delta(m.hits + m.misses + m.partial_hits, prev ? prev.hits + prev.misses + prev.partial_hits : undefined),
      hits: delta(m.hits, prev?.hits),
      p95_ms: latencies.length ? Math.max(...latencies.map((l) => l!.p95)) : null,
      p99_ms: latencies.length ? Math.max(...latencies.map((l) => l!.p99)) : null,
      errors: delta(m.errors, prev?.errors),
      client_errors: delta(m.errors_by_kind.client, prev?.errors_by_kind.client),
      sockets: gauges.sockets_connected,
      repair_queue: gauges.repair_queue,
    };
    this.last = m;
    this.ring.push(point);
    return point;
  }

  /** Oldest first, the last 15 minutes. */
  points(now: number): HistoryPoint[] {
    return this.ring.newest(undefined, (p) => now - p.t <= HISTORY_MS).reverse();
  }
}

/**
 * Every pod's history as one series: points of the same `stepMs` slot are combined (rates, sockets
 * and errors add up, the repair queue is shared so its largest reading counts, latencies take the
 * worst pod's), oldest first.
 */
export function mergeHistories(histories: HistoryPoint[][], stepMs = 2000): HistoryPoint[] {
  const slots = new Map<number, HistoryPoint>();
  for (const points of histories) {
    for (const p of points) {
      const slot = Math.floor(p.t / stepMs);
      const acc = slots.get(slot);
      if (!acc) {
        slots.set(slot, { ...p, t: slot * stepMs });
        continue;
      }
      acc.ops_per_second = Math.round((acc.ops_per_second + p.ops_per_second) * 100) / 100;
      acc.reads += p.reads;
      acc.hits += p.hits;
      acc.p95_ms = maxOrNull(acc.p95_ms, p.p95_ms);
      acc.p99_ms = maxOrNull(acc.p99_ms, p.p99_ms);
      acc.errors += p.errors;
      acc.client_errors += p.client_errors;
      acc.sockets = p.sockets === null ? acc.sockets : (acc.sockets ?? 0) + p.sockets;
      acc.repair_queue = maxOrNull(acc.repair_queue, p.repair_queue);
    }
  }
  return [...slots.values()].sort((a, b) => a.t - b.t);
}

const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));

/** The cluster's gauges from every pod's: sockets add up; the repair queue and Redis are shared, so the freshest reading counts. */
export function mergeGauges(all: (PodGauges | undefined)[]): PodGauges {
  const known = all.filter((g): g is PodGauges => g !== undefined);
  const sockets = known.filter((g) => g.sockets_connected !== null);
  return {
    sockets_connected: sockets.length ? sockets.reduce((n, g) => n + (g.sockets_connected ?? 0), 0) : null,
    repair_queue: known.reduce<number | null>((n, g) => maxOrNull(n, g.repair_queue), null),
    redis: known.find((g) => g.redis)?.redis ?? null,
  };
}

/** Parses the fields we show from Redis's `INFO memory` text. */
export function parseRedisMemory(info: string): RedisMemory | null {
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
  const used = Number(field('used_memory'));
  if (!Number.isFinite(used)) return null;
  return {
    used_memory_bytes: used,
    maxmemory_bytes: Number(field('maxmemory')) || 0,
    eviction_policy: field('maxmemory_policy') ?? 'unknown',
  };
}
