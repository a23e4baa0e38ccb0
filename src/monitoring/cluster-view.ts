import type { MonitorMode } from './adaptive-sampler';
import type { LatencySummary } from './latency-stats';
import type { MonitorEvent, MonitorMetrics, MonitorSnapshot } from './monitor';
import { mergeGauges, type HistoryPoint, type PodGauges } from './history';
import { ERROR_KINDS, OPERATION_NAMES, type ErrorKind, type OperationName } from '../telemetry';

/** The answer of `GET /admin/monitoring/api`: the whole cluster, plus each pod's own snapshot. */
export interface MonitoringView {
  /** The pod that answered. */
  pod: string;
  /** The most reduced mode among the pods: tells staff when the event log is thinned out somewhere. */
  mode: MonitorMode;
  /** The answering pod's switch. */
  enabled: boolean;
  /** Counters summed over the pods; latency percentiles are the worst pod's. */
  metrics: MonitorMetrics;
  /** Events of every pod, newest first. */
  events: MonitorEvent[];
  pods: MonitorSnapshot[];
  /** Sockets summed over the pods; the repair queue and Redis (shared) as the pods read them. */
  gauges: PodGauges;
  /** The cluster's last 15 minutes, one point per 2 s, oldest first (the pods' histories combined). */
  history: HistoryPoint[];
}

export interface ViewOptions {
  /** Most events in the merged log. @default 1000 */
  limit?: number;
  /** Only events of this chat code (case-insensitive). */
  chat?: string;
}

const MODE_ORDER: Record<MonitorMode, number> = { detailed: 0, sampled: 1, aggregated: 2 };

const SUMMED = [
  'ops_per_second',
  'total_ops',
  'hits',
  'misses',
  'partial_hits',
  'cache_reads',
  'cache_writes',
  'db_reads',
  'db_writes',
  'hybrid_queries',
  'socket_joins',
  'socket_sends',
  'errors',
  'events_kept',
] as const satisfies readonly (keyof MonitorMetrics)[];

/** Every pod's data merged, as the `monitor` job shows it: no pod answered, so no `pod` or `enabled`. */
export type ClusterView = Omit<MonitoringView, 'pod' | 'enabled' | 'history'>;

/**
 * Combines this pod's snapshot with the others' (as published to Redis). A snapshot of the same pod
 * among `others` is ignored in favour of `local`, which is fresher.
 */
export function buildMonitoringView(local: MonitorSnapshot, others: MonitorSnapshot[], options: ViewOptions = {}): MonitoringView {
  const merged = mergeSnapshots([local, ...others.filter((s) => s.pod !== local.pod)], options);
  return { pod: local.pod, enabled: local.enabled, ...merged, history: [] };
}

/** Merges the snapshots of distinct pods: pods sorted by name, events newest first, counters summed. */
export function mergeSnapshots(snapshots: MonitorSnapshot[], options: ViewOptions = {}): ClusterView {
  const pods = [...snapshots].sort((a, b) => a.pod.localeCompare(b.pod));
  const chat = options.chat?.toUpperCase();
  const events = pods
    .flatMap((s) => (chat ? s.events.filter((e) => e.chat_code?.toUpperCase() === chat) : s.events))
    .sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0))
    .slice(0, options.limit ?? 1000);
  return {
    mode: pods.reduce<MonitorMode>((m, s) => (MODE_ORDER[s.mode] > MODE_ORDER[m] ? s.mode : m), 'detailed'),
    metrics: sumMetrics(pods.map((s) => s.metrics)),
    events,
    pods,
    gauges: mergeGauges(pods.map((s) => s.gauges)),
  };
}

/** Adds up the counters of several pods; rates and percentiles are recomputed or bounded. */
export function sumMetrics(all: MonitorMetrics[]): MonitorMetrics {
  const total = Object.fromEntries(SUMMED.map((k) => [k, 0])) as Record<(typeof SUMMED)[number], number>;
  const ops = Object.fromEntries(OPERATION_NAMES.map((op) => [op, 0])) as Record<OperationName, number>;
  const latency: Partial<Record<OperationName, LatencySummary>> = {};
  const errorKinds = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
  const busy = new Map<string, number>();
  let sampleRate = 1;
  let since = '';
  for (const m of all) {
    for (const k of SUMMED) total[k] += m[k] ?? 0;
    for (const op of OPERATION_NAMES) ops[op] += m.ops?.[op] ?? 0;
    // a pod of an older version publishes no kinds: its errors count as the server's
    for (const k of ERROR_KINDS) errorKinds[k] += m.errors_by_kind?.[k] ?? (k === 'server' ? (m.errors ?? 0) : 0);
    for (const c of m.busiest_chats ?? []) busy.set(c.chat_code, (busy.get(c.chat_code) ?? 0) + c.ops);
    for (const op of OPERATION_NAMES) {
      const l = m.latency_ms?.[op];
      if (!l) continue;
      const acc = latency[op];
      // Percentiles do not add up; the worst pod's value is an honest upper bound.
      latency[op] = acc
        ? {
            samples: acc.samples + l.samples,
            p50: Math.max(acc.p50, l.p50),
            p95: Math.max(acc.p95, l.p95),
            p99: Math.max(acc.p99, l.p99),
            max: Math.max(acc.max, l.max),
          }
        : { ...l };
    }
    sampleRate = Math.min(sampleRate, m.sample_rate);
    if (!since || (m.since && m.since < since)) since = m.since;
  }
  const reads = total.hits + total.misses + total.partial_hits;
  return {
    ...total,
    ops_per_second: Math.round(total.ops_per_second * 100) / 100,
    sample_rate: sampleRate,
    hit_rate: reads ? total.hits / reads : null,
    errors_by_kind: errorKinds,
    busiest_chats: [...busy]
      .map(([chat_code, n]) => ({ chat_code, ops: n }))
      .sort((a, b) => b.ops - a.ops || a.chat_code.localeCompare(b.chat_code))
      .slice(0, 10),
    ops,
    latency_ms: latency,
    since: since || new Date().toISOString(),
  };
}
