import type { LatencySummary } from './latency-stats';
import type { MonitorEvent, MonitorSnapshot } from './monitor';
import { mergeSnapshots, type ClusterView, type ViewOptions } from './cluster-view';
import { OPERATION_NAMES } from '../telemetry';
import type { SnapshotBoard } from './snapshot-board';

/** What the `monitor` job prints: every pod's data, merged. */
export interface TerminalView extends ClusterView {
  taken_at: string;
  /** `redis`: the pods' published snapshots; `none`: no Redis configured, so no pod can be seen. */
  source: 'redis' | 'none';
  /** The chat filter, when one was given. */
  chat: string | null;
  /** Set when the view is empty for a reason the operator should know. */
  note: string | null;
}

export const NO_REDIS_NOTE =
  'no Redis configured (REDIS_URL / REDIS_CLUSTER_NODES unset): pods publish their monitoring data to Redis only, ' +
  'so this process sees none; open /admin/monitoring on the pod instead';

const NO_PODS_NOTE = 'no pod has published a snapshot in the last seconds: are the pods running, on this Redis?';

/** Reads every pod's snapshot and merges them; without a board, this process's empty view and a note. */
export async function readClusterView(board: SnapshotBoard | null, options: ViewOptions = {}): Promise<TerminalView> {
  const snapshots: MonitorSnapshot[] = board ? await board.list() : [];
  const view = mergeSnapshots(snapshots, options);
  return {
    taken_at: new Date().toISOString(),
    source: board ? 'redis' : 'none',
    chat: options.chat?.toUpperCase() ?? null,
    note: !board ? NO_REDIS_NOTE : snapshots.length === 0 ? NO_PODS_NOTE : null,
    ...view,
  };
}

/** Text decoration; the jobs' Style (src/ops) fits. Plain text when every function returns its input. */
export interface ViewStyle {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
}

const PLAIN: ViewStyle = { bold: (s) => s, dim: (s) => s, green: (s) => s, red: (s) => s, yellow: (s) => s };

export interface RenderOptions {
  style?: ViewStyle;
  /** Shown in the header: how often the view refreshes. */
  intervalSeconds?: number;
  /** Most events listed. @default 20 */
  events?: number;
}

/** A ratio, or '—' when it has no denominator (no reads yet). */
const pct = (r: number | null | undefined) => (typeof r === 'number' ? `${(r * 100).toFixed(1)} %` : '—');
const int = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en-US'));
/** `12.3 MB` */
export const bytes = (n: number) => (n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);
const ms = (n: number) => n.toFixed(n < 10 ? 2 : 1);
/** `11:42:54` (UTC) from an ISO time; with `.123` when `millis`. */
const clock = (iso: string, millis = false) => {
  const t = iso.slice(11, millis ? 23 : 19);
  return t || iso;
};

/** Left-aligned columns; `right` lists the columns aligned right. Styling is applied after padding. */
function table(header: string[], rows: { cells: string[]; paint?: (s: string) => string }[], right: number[], style: ViewStyle): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...rows.map((r) => (r.paint ? r.paint(line(r.cells)) : line(r.cells)))];
}

/** How to turn monitoring on: the one place both views take their words from. */
export const MONITORING_OFF_HINT = 'turn it on with `PUT /admin/settings {"enable_monitoring": true}` (or the dashboard\'s switch)';

/** 'off' when no pod records, 'partly off' when some do not, else null. */
export function offState(pods: { enabled: boolean }[]): string | null {
  const off = pods.filter((p) => !p.enabled).length;
  if (pods.length === 0 || off === 0) return null;
  if (off === pods.length) return `monitoring is off: no pod counts anything, every number below stays 0; ${MONITORING_OFF_HINT}`;
  return `monitoring is off on ${off} of ${pods.length} pods: their counters stay 0; ${MONITORING_OFF_HINT}`;
}

function eventPaint(e: MonitorEvent, style: ViewStyle): ((s: string) => string) | undefined {
  if (e.result === 'error' || e.result === 'miss') return style.red;
  if (e.result === 'partial') return style.yellow;
  if (e.result === 'hit') return style.green;
  return undefined;
}

/** The view as terminal lines: header, totals, one row per pod, latencies, newest events. */
export function renderClusterView(view: TerminalView, options: RenderOptions = {}): string[] {
  const style = options.style ?? PLAIN;
  const m = view.metrics;
  const out: string[] = [];
  const every = options.intervalSeconds ? ` · every ${options.intervalSeconds} s, Ctrl+C to quit` : '';
  const off = offState(view.pods);
  const allOff = view.pods.length > 0 && view.pods.every((p) => !p.enabled);
  const modeText = allOff
    ? style.red('OFF')
    : view.mode === 'detailed'
      ? style.green(view.mode)
      : view.mode === 'sampled'
        ? style.yellow(view.mode)
        : style.red(view.mode);
  out.push(
    `${style.bold('ChatPop monitor')} · ${view.pods.length} pod${view.pods.length === 1 ? '' : 's'} · mode ${modeText} · ${clock(view.taken_at)} UTC` +
      (view.chat ? ` · chat ${view.chat}` : '') +
      style.dim(every),
  );
  if (view.note) out.push(style.yellow(`note: ${view.note}`));
  if (off) out.push(style.red(style.bold(off)));
  out.push(
    `ops/s ${m.ops_per_second.toFixed(1)} · hit rate ${pct(m.hit_rate)} (${int(m.hits)} hits, ${int(m.misses)} misses, ${int(m.partial_hits)} partial)` +
      ` · cache writes ${int(m.cache_writes)} · db reads ${int(m.db_reads)} · db writes ${int(m.db_writes)} · hybrid ${int(m.hybrid_queries)}` +
      ` · errors ${int(m.errors)} (store ${int(m.errors_by_kind?.store)}, server ${int(m.errors_by_kind?.server)})` +
      ` · client errors ${int(m.errors_by_kind?.client)} · events kept ${pct(m.sample_rate)}`,
  );

  const g = view.gauges;
  if (g) {
    out.push(
      `sockets ${int(g.sockets_connected ?? undefined)} · repair queue ${int(g.repair_queue ?? undefined)} · Redis ` +
        (g.redis
          ? `${bytes(g.redis.used_memory_bytes)} used of ${g.redis.maxmemory_bytes ? bytes(g.redis.maxmemory_bytes) : 'no limit'}` +
            ` (eviction ${g.redis.eviction_policy})`
          : '—'),
    );
  }

  if (view.pods.length) {
    out.push('');
    out.push(
      ...table(
        [
          'POD',
          'MODE',
          'ON',
          'OPS/S',
          'HIT RATE',
          'HITS',
          'MISSES',
          'PARTIAL',
          'CACHE W',
          'DB R',
          'DB W',
          'HYBRID',
          'ERRORS',
          'CLIENT E',
          'UPDATED',
        ],
        view.pods.map((p) => ({
          cells: [
            p.pod,
            p.enabled ? p.mode : 'off',
            p.enabled ? 'yes' : 'NO',
            p.metrics.ops_per_second.toFixed(1),
            pct(p.metrics.hit_rate),
            int(p.metrics.hits),
            int(p.metrics.misses),
            int(p.metrics.partial_hits),
            int(p.metrics.cache_writes),
            int(p.metrics.db_reads),
            int(p.metrics.db_writes),
            int(p.metrics.hybrid_queries),
            int(p.metrics.errors),
            int(p.metrics.errors_by_kind?.client),
            clock(p.taken_at),
          ],
          paint: p.enabled ? undefined : style.dim,
        })),
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13],
        style,
      ),
    );
  }

  const latency = OPERATION_NAMES.flatMap((op) => {
    const l: LatencySummary | undefined = m.latency_ms[op];
    return l && l.samples ? [{ cells: [op, int(l.samples), ms(l.p50), ms(l.p95), ms(l.p99), ms(l.max)] }] : [];
  });
  if (latency.length) {
    out.push('');
    out.push(...table(['OPERATION', 'SAMPLES', 'P50 MS', 'P95 MS', 'P99 MS', 'MAX MS'], latency, [1, 2, 3, 4, 5], style));
  }

  const busy = m.busiest_chats ?? [];
  if (busy.length && !view.chat) {
    out.push('');
    out.push(style.bold('BUSIEST CHATS') + style.dim(' operations in the last 1–2 minutes'));
    out.push(
      ...table(
        ['CHAT', 'OPS'],
        busy.map((c) => ({ cells: [c.chat_code, int(c.ops)] })),
        [1],
        style,
      ),
    );
  }

  const limit = options.events ?? 20;
  const shown = view.events.slice(0, limit);
  out.push('');
  out.push(style.bold(`EVENTS`) + style.dim(` newest ${shown.length} of ${view.events.length}${view.chat ? ` for ${view.chat}` : ''}`));
  if (shown.length) {
    out.push(
      ...table(
        ['TIME', 'OPERATION', 'CHAT', 'RESULT', 'COUNT', 'MS', 'ACTION', 'POD'],
        shown.map((e) => ({
          cells: [
            clock(e.ts, true),
            e.op,
            e.chat_code ?? '—',
            e.error ? `${e.error.kind} error ${e.error.code ?? ''}`.trimEnd() : (e.result ?? ''),
            e.op === 'hybrid.query' && (e.cache_count !== undefined || e.db_count !== undefined)
              ? `${e.cache_count ?? 0}+${e.db_count ?? 0}`
              : e.count !== undefined
                ? String(e.count)
                : '',
            ms(e.duration_ms),
            [e.action, e.error?.message].filter(Boolean).join(' · '),
            e.pod,
          ],
          paint: eventPaint(e, style),
        })),
        [4, 5],
        style,
      ),
    );
  } else {
    out.push(
      style.dim(
        allOff
          ? '(no events: monitoring is off)'
          : view.mode === 'aggregated'
            ? '(aggregated mode: counters only, no events are kept)'
            : '(no events)',
      ),
    );
  }
  return out;
}
