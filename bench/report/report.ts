// Turns what the sections measured into bench/results.json (`figures`, `ratios`, `goals`, details)
// and the table printed on stdout.
import os from 'node:os';
import { OTHER_PROCESSES } from '../harness/cpu';
import type { HttpFigure } from '../scenarios/http-bench';
import type { MachineFigure } from '../harness/machine';
import type { MemoryFigure } from '../scenarios/memory-bench';
import type { MonitoringCost } from '../scenarios/monitoring-cost';
import type { PgFigures } from '../scenarios/pg-ceiling';
import type { ProfileSummary } from '../harness/profile';
import type { RecoveryFigure } from '../scenarios/recovery-bench';
import type { RedisCommandFigure } from '../scenarios/redis-ceiling';
import type { ScaleFigure } from '../scenarios/scale-bench';
import { checkGoals, type Goal } from './goals';
import type { BenchSettings } from '../harness/settings';
import type { SendCost } from '../harness/server-counters';
import { sendSteps, type BareFigures, type SendFigures, type StepFigure } from '../scenarios/socket-bench';
import { median, round } from '../harness/stats';

/** Everything a run measured; a section that failed or did not run leaves its field unset. */
export interface Collected {
  redis?: Record<string, RedisCommandFigure>;
  pg?: PgFigures;
  bareRoute?: HttpFigure;
  historyFirst?: HttpFigure & { source: string };
  historyDeep?: HttpFigure & { source: string };
  /** the deep page's ceiling: the server's page statement through a bare pg pool, as many callers as autocannon's connections */
  deepPagePg?: HttpFigure;
  /** the deep page from a second server that reads it from a streaming standby (DATABASE_READ_URLS) */
  historyDeepReplica?: HttpFigure & { source: string; replica_reads: { served: number; lagging: number; failed: number } };
  bareEmit?: BareFigures;
  send?: SendFigures;
  /** send-per-chat (issue 24): the send section against a second server whose group commit sends one statement per chat */
  sendPerChat?: SendFigures;
  /** the bare socket.io peer measured in turns with sendPerChat */
  bareEmitPerChat?: BareFigures;
  /** PostgreSQL and Redis work per stored message over the ChatPop send section */
  sendCost?: SendCost;
  recovery?: RecoveryFigure;
  memory?: MemoryFigure;
  bareMemory?: MemoryFigure;
  monitoring?: MonitoringCost;
  /** many idle sockets on one server and broadcasts to one room of them, ChatPop's and bare socket.io's */
  scale?: ScaleFigure;
  bareScale?: ScaleFigure;
  /** what the bench did not start: the busiest other processes over the run, the kernel's DAMON monitor */
  machine?: MachineFigure;
  /** BENCH_PROFILE: the ChatPop server's CPU (or allocation) profile per measured section */
  profiles: Record<string, ProfileSummary>;
  processes: { role: string; pid: number; what: string }[];
  errors: Record<string, string>;
  notes: string[];
}

export type { Goal } from './goals';

export interface BenchResults {
  meta: {
    size: string;
    started_at: string;
    seconds: number;
    node: string;
    cpus: number;
    cpu_model: string;
    load_average_at_end: number[];
    settings: Omit<BenchSettings, 'only'> & { only: string[] | null };
  };
  figures: Record<string, number | null>;
  ratios: Record<string, number | null>;
  goals: Record<string, Goal>;
  processes: Collected['processes'];
  /**
   * CPU (% of one core) that processes the bench did not start took while each side of a ratio was
   * measured; above BUSY_PCT the ratio says more about the machine than about ChatPop.
   */
  noise: Record<string, number | null>;
  details: Omit<Collected, 'processes' | 'errors' | 'notes' | 'profiles'>;
  profiles: Record<string, ProfileSummary>;
  errors: Record<string, string>;
  notes: string[];
}

/**
 * A note when the half-peak runs' server stalls were much longer than its GC pauses while the
 * kernel's DAMON monitor ran: the latency goal then measured the machine as much as ChatPop.
 */
export function machineStalls(send: SendFigures | undefined, machine: MachineFigure | undefined): string | null {
  const runs = (send?.half_peak_runs ?? []).filter((r) => r.server_gc);
  if (!machine?.damon || !runs.length) return null;
  const stall = median(runs.map((r) => r.server_gc!.loop_stall_max_ms));
  const gc = median(runs.map((r) => r.server_gc!.max_pause_ms));
  if (!(stall >= 10 && stall >= 2 * gc)) return null;
  return (
    `in the half-peak runs the server's event loop stalled up to ${round(stall, 1)} ms (median of the runs' longest) while its longest GC pause was ${round(gc, 1)} ms, ` +
    `and the kernel's DAMON monitor took ${machine.damon.cpu_ms_per_sample ?? '?'} ms of CPU every ${machine.damon.sample_ms ?? '?'} ms: ` +
    `send_ack_p99_ms_at_half_peak measures this machine's stalls as much as ChatPop (docs/benchmark.md, "Sixth pass")`
  );
}

/**
 * A note when the two sides of send_p99_vs_bare_at_half_peak did not see the same load: bare
 * socket.io offered another rate than ChatPop's half peak, or either acked less than 90 % of it.
 */
export function halfPeakMismatch(send: SendFigures | undefined, bare: BareFigures | undefined): string | null {
  if (!send || !bare) return null;
  const rate = send.half_peak.offered_per_s;
  const short = ([, acked]: [string, number]) => acked < 0.9 * rate;
  const behind = (
    [
      ['ChatPop', send.half_peak.sends_per_s],
      ['bare socket.io', bare.half_peak.sends_per_s],
    ] as [string, number][]
  ).filter(short);
  if (bare.half_peak.offered_per_s !== rate)
    return `bare socket.io's half-peak runs offered ${bare.half_peak.offered_per_s} sends/s, not ChatPop's ${rate}: send_p99_vs_bare_at_half_peak compares two loads`;
  if (!behind.length) return null;
  return (
    `at the half-peak rate (${rate} sends/s offered) ${behind.map(([name, acked]) => `${name} acked ${acked}/s`).join(' and ')}: ` +
    'below 90 % of the offered rate, so send_p99_vs_bare_at_half_peak compares a server over capacity'
  );
}

/** Milliseconds of the server's CPU per acked send in a step: what one send costs it at that load. */
export function cpuMsPerSend(st: StepFigure | undefined, server = 'chatpop server'): number {
  const pct = st?.cpu_pct[server];
  return st && pct !== undefined && st.sends_per_s > 0 ? round((pct * 10) / st.sends_per_s) : NaN;
}

/** Other processes' CPU (% of one core) above which a measurement is flagged as disturbed. */
const BUSY_PCT = 25;

const num = (v: number | undefined | null): number | null => (v === undefined || v === null || !Number.isFinite(v) ? null : v);
const ratio = (a: number | null, b: number | null): number | null => (a === null || b === null || b === 0 ? null : round(a / b));
/** A ratio of two amounts that only mean something positive (memory growth: noise can read zero or less). */
const positiveRatio = (a: number | null, b: number | null): number | null =>
  a !== null && b !== null && a > 0 && b > 0 ? round(a / b) : null;

export function buildResults(c: Collected, s: BenchSettings, startedAt: Date): BenchResults {
  const send = c.send;
  const figures: Record<string, number | null> = {
    bare_emit_delivered_per_s: num(c.bareEmit?.peak.delivered_per_s),
    bare_emit_sends_per_s: num(c.bareEmit?.peak.sends_per_s),
    bare_route_requests_per_s: num(c.bareRoute?.requests_per_s),
    bare_route_p50_ms: num(c.bareRoute?.latency_ms.p50),
    bare_route_p99_ms: num(c.bareRoute?.latency_ms.p99),
    ...Object.fromEntries(Object.entries(c.redis ?? {}).map(([k, v]) => [`redis_${k}_ops_per_s`, num(v.ops_per_s)])),
    pg_insert_loop_rows_per_s: num(c.pg?.insert_loop_rows_per_s),
    pg_insert_loop_8conn_rows_per_s: num(c.pg?.insert_loop_8conn_rows_per_s),
    pg_batched_insert_rows_per_s: num(c.pg?.batched_insert_rows_per_s),
    send_peak_sends_per_s: num(send?.peak.sends_per_s),
    send_peak_delivered_per_s: num(send?.peak.delivered_per_s),
    send_ack_p50_ms_at_peak: num(send?.peak.ack_ms.p50),
    send_ack_p95_ms_at_peak: num(send?.peak.ack_ms.p95),
    send_ack_p99_ms_at_peak: num(send?.peak.ack_ms.p99),
    send_half_peak_sends_per_s: num(send?.half_peak.sends_per_s),
    send_ack_p50_ms_at_half_peak: num(send?.half_peak.ack_p50_ms),
    send_ack_p95_ms_at_half_peak: num(send?.half_peak.ack_p95_ms),
    send_ack_p99_ms_at_half_peak: num(send?.half_peak.ack_p99_ms),
    send_deliver_p99_ms_at_half_peak: num(send?.half_peak.deliver_p99_ms),
    send_server_ack_p50_ms_at_half_peak: num(send?.half_peak.server_ack_p50_ms),
    send_server_ack_p95_ms_at_half_peak: num(send?.half_peak.server_ack_p95_ms),
    send_server_ack_p99_ms_at_half_peak: num(send?.half_peak.server_ack_p99_ms),
    send_pg_write_transactions_per_message: num(c.sendCost?.pg_write_transactions_per_message),
    send_server_cpu_ms_per_send_at_peak: num(cpuMsPerSend(send?.peak)),
    send_server_cpu_ms_per_send_at_half_peak: num(cpuMsPerSend(send?.half_peak_runs[(send.half_peak_runs.length - 1) >> 1])),
    send_server_cpu_wait_pct_at_half_peak: num(
      send ? median(send.half_peak_runs.map((r) => r.cpu_wait_pct['chatpop server'] ?? NaN)) : null,
    ),
    bare_emit_server_cpu_ms_per_send_at_peak: num(cpuMsPerSend(c.bareEmit?.peak, 'bare socket.io')),
    send_half_peak_offered_per_s: num(send?.half_peak.offered_per_s),
    bare_emit_half_peak_offered_per_s: num(c.bareEmit?.half_peak.offered_per_s),
    bare_emit_half_peak_sends_per_s: num(c.bareEmit?.half_peak.sends_per_s),
    bare_emit_ack_p50_ms_at_half_peak: num(c.bareEmit?.half_peak.ack_p50_ms),
    bare_emit_ack_p99_ms_at_half_peak: num(c.bareEmit?.half_peak.ack_p99_ms),
    send_redis_commands_per_message: num(c.sendCost?.redis_commands_per_message),
    history_first_page_requests_per_s: num(c.historyFirst?.requests_per_s),
    history_first_page_p50_ms: num(c.historyFirst?.latency_ms.p50),
    history_first_page_p99_ms: num(c.historyFirst?.latency_ms.p99),
    history_deep_page_requests_per_s: num(c.historyDeep?.requests_per_s),
    history_deep_page_p50_ms: num(c.historyDeep?.latency_ms.p50),
    history_deep_page_p99_ms: num(c.historyDeep?.latency_ms.p99),
    deep_page_pg_queries_per_s: num(c.deepPagePg?.requests_per_s),
    deep_page_pg_p50_ms: num(c.deepPagePg?.latency_ms.p50),
    deep_page_pg_p99_ms: num(c.deepPagePg?.latency_ms.p99),
    history_deep_replica_requests_per_s: num(c.historyDeepReplica?.requests_per_s),
    history_deep_replica_p50_ms: num(c.historyDeepReplica?.latency_ms.p50),
    history_deep_replica_p99_ms: num(c.historyDeepReplica?.latency_ms.p99),
    recovery_missed_messages: num(c.recovery?.missed),
    recovery_join_ack_ms: num(c.recovery?.join_ack_ms),
    recovery_total_ms: num(c.recovery?.total_ms),
    idle_memory_kb_per_socket: num(c.memory?.kb_per_socket),
    idle_heap_kb_per_socket: num(c.memory?.heap_kb_per_socket),
    bare_idle_memory_kb_per_socket: num(c.bareMemory?.kb_per_socket),
    bare_idle_heap_kb_per_socket: num(c.bareMemory?.heap_kb_per_socket),
    monitoring_on_ops_per_s: num(c.monitoring?.on_ops_per_s),
    monitoring_off_ops_per_s: num(c.monitoring?.off_ops_per_s),
    ...scaleFigures('scale', c.scale),
    ...scaleFigures('bare_scale', c.bareScale),
    send_per_chat_peak_sends_per_s: num(c.sendPerChat?.peak.sends_per_s),
    send_per_chat_peak_delivered_per_s: num(c.sendPerChat?.peak.delivered_per_s),
    bare_emit_per_chat_delivered_per_s: num(c.bareEmitPerChat?.peak.delivered_per_s),
  };
  const ratios: Record<string, number | null> = {
    send_vs_bare_emit: ratio(figures.send_peak_delivered_per_s!, figures.bare_emit_delivered_per_s!),
    history_vs_bare_route: ratio(figures.history_first_page_requests_per_s!, figures.bare_route_requests_per_s!),
    history_deep_vs_bare_route: ratio(figures.history_deep_page_requests_per_s!, figures.bare_route_requests_per_s!),
    monitoring_on_vs_off: num(c.monitoring?.ratio) ?? ratio(figures.monitoring_on_ops_per_s!, figures.monitoring_off_ops_per_s!),
    send_p99_vs_bare_at_half_peak: ratio(figures.send_ack_p99_ms_at_half_peak!, figures.bare_emit_ack_p99_ms_at_half_peak!),
    idle_socket_memory_vs_bare: positiveRatio(figures.idle_memory_kb_per_socket!, figures.bare_idle_memory_kb_per_socket!),
    // Information, no goal: how far each path is from its own ceiling.
    // Heap+external per socket: what the sockets hold, without V8's young-generation steps that move RSS.
    idle_socket_heap_vs_bare: positiveRatio(figures.idle_heap_kb_per_socket!, figures.bare_idle_heap_kb_per_socket!),
    history_deep_vs_pg_page: ratio(figures.history_deep_page_requests_per_s!, figures.deep_page_pg_queries_per_s!),
    history_deep_replica_vs_bare_route: ratio(figures.history_deep_replica_requests_per_s!, figures.bare_route_requests_per_s!),
    scale_memory_vs_bare: positiveRatio(figures.scale_kb_per_socket!, figures.bare_scale_kb_per_socket!),
    scale_connect_vs_bare: ratio(figures.scale_connect_s!, figures.bare_scale_connect_s!),
    scale_broadcast_p99_vs_bare: ratio(figures.scale_broadcast_deliver_p99_ms!, figures.bare_scale_broadcast_deliver_p99_ms!),
    send_vs_pg_insert_loop: ratio(figures.send_peak_sends_per_s!, figures.pg_insert_loop_rows_per_s!),
    send_vs_pg_batched_insert: ratio(figures.send_peak_sends_per_s!, figures.pg_batched_insert_rows_per_s!),
    // Issue 24: one statement per chat (as on Citus) against its own turns of bare socket.io, and against one statement spanning chats.
    send_per_chat_vs_bare_emit: ratio(figures.send_per_chat_peak_delivered_per_s!, figures.bare_emit_per_chat_delivered_per_s!),
    send_per_chat_vs_one_statement: ratio(figures.send_per_chat_peak_sends_per_s!, figures.send_peak_sends_per_s!),
  };
  const other = (cpu?: Record<string, number>) => num(cpu?.[OTHER_PROCESSES]);
  const noise: Record<string, number | null> = {
    send_peak: other(send?.peak.cpu_pct),
    bare_emit_peak: other(c.bareEmit?.peak.cpu_pct),
    history_first_page: other(c.historyFirst?.cpu_pct),
    history_deep_page: other(c.historyDeep?.cpu_pct),
    deep_page_pg: other(c.deepPagePg?.cpu_pct),
    bare_route: other(c.bareRoute?.cpu_pct),
  };
  const busy = Object.entries(noise).filter(([, v]) => v !== null && v > BUSY_PCT);
  const notes = [...c.notes];
  if (busy.length) {
    notes.push(
      `the machine was busy with other work while measuring ${busy.map(([k, v]) => `${k} (${v} % of a core)`).join(', ')}: ratios built on these are unreliable in this run`,
    );
  }
  const stalled = machineStalls(send, c.machine);
  if (stalled) notes.push(stalled);
  const mismatch = halfPeakMismatch(send, c.bareEmit);
  if (mismatch) notes.push(mismatch);
  const { processes, errors, profiles, notes: _notes, ...details } = c;
  return {
    meta: {
      size: s.size,
      started_at: startedAt.toISOString(),
      seconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      node: process.version,
      cpus: os.cpus().length,
      cpu_model: os.cpus()[0]?.model ?? 'unknown',
      load_average_at_end: os.loadavg().map((v) => round(v, 2)),
      settings: { ...s, only: s.only ? [...s.only] : null },
    },
    figures,
    ratios,
    goals: checkGoals(ratios),
    processes,
    noise,
    details,
    profiles,
    errors,
    notes,
  };
}

/** The scale section's figures of one server, keys prefixed `scale_` or `bare_scale_`. */
function scaleFigures(prefix: string, f: ScaleFigure | undefined): Record<string, number | null> {
  return {
    [`${prefix}_sockets`]: num(f?.sockets),
    [`${prefix}_connect_s`]: num(f?.connect_s),
    [`${prefix}_rss_growth_mb`]: f ? f.rss_after_mb - f.rss_before_mb : null,
    [`${prefix}_kb_per_socket`]: num(f?.kb_per_socket),
    [`${prefix}_heap_kb_per_socket`]: num(f?.heap_kb_per_socket),
    [`${prefix}_broadcast_room_size`]: num(f?.broadcast.sockets),
    [`${prefix}_broadcast_deliver_p50_ms`]: num(f?.broadcast.deliver_ms.p50),
    [`${prefix}_broadcast_deliver_p99_ms`]: num(f?.broadcast.deliver_ms.p99),
    [`${prefix}_broadcast_room_p99_ms`]: num(f?.broadcast.room_ms.p99),
  };
}

// ---- the table ----------------------------------------------------------------------------------

const n = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '—'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** The young generation's growth per socket (`+24.0 KB`), or `—` from results without it. */
const young = (m: MemoryFigure | undefined) => (m?.young_kb_per_socket === undefined ? '—' : `+${n(m.young_kb_per_socket, 1)} KB`);
const ms = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1);

function table(rows: string[][], align: ('l' | 'r')[]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (align[i] === 'r' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatTable(r: BenchResults, c: Collected): string {
  const f = r.figures;
  const out: string[] = [];
  out.push(
    `ChatPop bench (${r.meta.size}) — ${r.meta.cpus} cores (${r.meta.cpu_model}), node ${r.meta.node}, ${r.meta.started_at}, ${r.meta.seconds} s, load average at end ${r.meta.load_average_at_end.join(' ')}`,
  );
  out.push('');
  out.push(formatGoals(r));
  out.push('');
  const send = c.send;
  const sendShape = send ? `${send.rooms} rooms × ${send.sockets / send.rooms} sockets, every socket sends and receives` : '';
  const rows: string[][] = [['', 'throughput', 'unit', 'p50 ms', 'p95 ms', 'p99 ms']];
  const lat = (s?: { p50: number; p95: number; p99: number }) => [ms(s?.p50), ms(s?.p95), ms(s?.p99)];
  rows.push(['CEILINGS', '', '', '', '', '']);
  rows.push([
    '  bare socket.io re-emit, peak (median run)',
    n(f.bare_emit_delivered_per_s),
    'delivered msg/s',
    ...lat(c.bareEmit?.peak.ack_ms),
  ]);
  rows.push(['  bare Koa 50-message page', n(f.bare_route_requests_per_s), 'req/s', ...lat(c.bareRoute?.latency_ms)]);
  for (const [k, v] of Object.entries(c.redis ?? {}))
    rows.push([`  redis-benchmark ${k}`, n(v.ops_per_s), 'ops/s', ms(v.p50_ms), ms(v.p95_ms), ms(v.p99_ms)]);
  rows.push(['  pg insert loop, 1 connection', n(f.pg_insert_loop_rows_per_s), 'rows/s', '', '', '']);
  rows.push(['  pg insert loop, 8 connections', n(f.pg_insert_loop_8conn_rows_per_s), 'rows/s', '', '', '']);
  rows.push([`  pg batched insert (${c.pg?.batch_size ?? '?'} rows/stmt)`, n(f.pg_batched_insert_rows_per_s), 'rows/s', '', '', '']);
  rows.push([
    "  pg deep-page statement (the deep page's rows)",
    n(f.deep_page_pg_queries_per_s),
    'pages/s',
    ...lat(c.deepPagePg?.latency_ms),
  ]);
  rows.push(['CHATPOP', '', '', '', '', '']);
  rows.push(['  send→deliver at peak (median run)', n(f.send_peak_delivered_per_s), 'delivered msg/s', ...lat(send?.peak.deliver_ms)]);
  rows.push(['  send→ack at peak (median run)', n(f.send_peak_sends_per_s), 'sends/s', ...lat(send?.peak.ack_ms)]);
  rows.push([
    '  send→ack at half peak (median of runs)',
    n(f.send_half_peak_sends_per_s),
    'sends/s',
    ms(f.send_ack_p50_ms_at_half_peak),
    ms(f.send_ack_p95_ms_at_half_peak),
    ms(f.send_ack_p99_ms_at_half_peak),
  ]);
  if (f.send_server_ack_p99_ms_at_half_peak !== null) {
    rows.push([
      '    of which in the server (its /metrics)',
      '',
      '',
      ms(f.send_server_ack_p50_ms_at_half_peak),
      ms(f.send_server_ack_p95_ms_at_half_peak),
      ms(f.send_server_ack_p99_ms_at_half_peak),
    ]);
  }
  const bareHalf = c.bareEmit?.half_peak;
  if (f.bare_emit_ack_p99_ms_at_half_peak !== null && bareHalf) {
    rows.push([
      '    bare socket.io at the same rate (median of runs)',
      '',
      '',
      ms(bareHalf.ack_p50_ms),
      ms(bareHalf.ack_p95_ms),
      ms(bareHalf.ack_p99_ms),
    ]);
  }
  rows.push([
    `  history first page (${c.historyFirst?.source ?? '?'})`,
    n(f.history_first_page_requests_per_s),
    'req/s',
    ...lat(c.historyFirst?.latency_ms),
  ]);
  rows.push([
    `  history deep page (${c.historyDeep?.source ?? '?'})`,
    n(f.history_deep_page_requests_per_s),
    'req/s',
    ...lat(c.historyDeep?.latency_ms),
  ]);
  if (c.historyDeepReplica) {
    const reads = c.historyDeepReplica.replica_reads;
    rows.push([
      `  history deep page, read replica (${reads.served} from the standby, ${reads.lagging + reads.failed} re-read)`,
      n(f.history_deep_replica_requests_per_s),
      'req/s',
      ...lat(c.historyDeepReplica.latency_ms),
    ]);
  }
  rows.push([`  reconnect, ${n(f.recovery_missed_messages)} missed: join ack`, '', '', ms(f.recovery_join_ack_ms), '', '']);
  rows.push([`  reconnect, ${n(f.recovery_missed_messages)} missed: all held`, '', '', ms(f.recovery_total_ms), '', '']);
  rows.push([
    `  idle memory per socket (${c.memory?.sockets ?? '?'} sockets), after GC`,
    n(f.idle_memory_kb_per_socket, 1),
    `KB RSS (heap+external ${n(f.idle_heap_kb_per_socket, 1)} KB; young generation ${young(c.memory)})`,
    '',
    '',
    '',
  ]);
  rows.push([
    '  (bare socket.io, same sockets)',
    n(f.bare_idle_memory_kb_per_socket, 1),
    `KB RSS (heap+external ${n(f.bare_idle_heap_kb_per_socket, 1)} KB; young generation ${young(c.bareMemory)})`,
    '',
    '',
    '',
  ]);
  rows.push(['  monitoring on / off', `${n(f.monitoring_on_ops_per_s)} / ${n(f.monitoring_off_ops_per_s)}`, 'ops/s', '', '', '']);
  out.push(table(rows, ['l', 'r', 'l', 'r', 'r', 'r']));
  if (sendShape)
    out.push(`  send load: ${sendShape}; latencies measured in the load process (p50/p95/p99 of the send→ack or send→deliver time).`);
  if (c.sendCost) {
    const top = Object.entries(c.sendCost.redis_by_command)
      .slice(0, 6)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push(
      `  per stored message (${n(c.sendCost.messages)} in the send section): ${c.sendCost.pg_write_transactions_per_message} PostgreSQL write transactions; ` +
        `${c.sendCost.redis_commands_per_message} Redis commands (${top})`,
    );
  }
  out.push('');

  if (send) {
    const ramp: string[][] = [
      [
        'SEND STEPS',
        'offered/s',
        'sends/s',
        'delivered/s',
        'ack p50',
        'ack p99',
        'server p99',
        'failed',
        'server CPU %',
        'server wait %',
        'CPU ms/send',
        'load stall max',
        'server stall max',
        'server GC max',
      ],
    ];
    const row = (label: string, st: StepFigure, server = 'chatpop server') => [
      label,
      st.offered_per_s === undefined ? '' : n(st.offered_per_s),
      n(st.sends_per_s),
      n(st.delivered_per_s),
      ms(st.ack_ms.p50),
      ms(st.ack_ms.p99),
      st.server_ack ? ms(st.server_ack.p99_ms) : '',
      String(Object.values(st.failed).reduce((a, b) => a + b, 0)),
      n(st.cpu_pct[server], 0),
      st.cpu_wait_pct[server] === undefined ? '' : n(st.cpu_wait_pct[server], 0),
      ms(cpuMsPerSend(st, server)),
      ms(st.load_loop_delay_ms.max),
      st.server_gc ? ms(st.server_gc.loop_stall_max_ms) : '',
      gcCell(st),
    ];
    for (const st of send.ramp) ramp.push(row(`  chatpop closed loop, ${st.depth} outstanding/socket`, st));
    for (const st of send.peak_runs.slice(1)) ramp.push(row(`  chatpop closed loop, ${st.depth} outstanding/socket, rerun`, st));
    for (const st of send.load) ramp.push(row(`  chatpop open loop`, st));
    for (const st of send.half_peak_runs) ramp.push(row(`  chatpop open loop, half peak`, st));
    for (const st of c.bareEmit?.ramp ?? []) ramp.push(row(`  bare closed loop, ${st.depth} outstanding/socket`, st, 'bare socket.io'));
    for (const st of c.bareEmit?.peak_runs.slice(1) ?? [])
      ramp.push(row(`  bare closed loop, ${st.depth} outstanding/socket, rerun`, st, 'bare socket.io'));
    for (const st of c.bareEmit?.half_peak_runs ?? []) ramp.push(row(`  bare open loop, half peak`, st, 'bare socket.io'));
    out.push(table(ramp, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l']));
    out.push(
      "  server p99: the ChatPop server's own time from a send reaching its handler to its ack (chatpop_socket_event_duration_seconds in /metrics, interpolated in its buckets), ms",
    );
    out.push(
      "  server wait %: the share of the step the server's main thread was ready to run but waited for a core (/proc/PID/schedstat), as % of the step's wall time",
    );
    out.push(
      '  load stall max / server stall max: the longest time the load process / the ChatPop server could not run its event loop in the step, ms',
    );
    out.push(
      '  server GC max: the longest garbage collection pause of the ChatPop server in the step, ms; "+N mc": full collections in it.',
    );
    out.push('  A server stall far longer than its GC max is a long task or a wait for a free CPU (see MACHINE below).');
    const steps = sendSteps(send);
    const disorder = steps.reduce((k, st) => k + st.order_errors, 0);
    const lost = steps.reduce((k, st) => k + st.gap_errors, 0);
    out.push(
      disorder || lost
        ? `  DELIVERY ERRORS: ${disorder} message:new out of order or repeated, ${lost} never delivered`
        : '  every socket received every message:new once, in seq order',
    );
    out.push('');
  }

  if (c.scale || c.bareScale) out.push(formatScale(c), '');
  out.push(formatCpu(c));
  if (c.machine) out.push('', formatMachine(c.machine));
  for (const [section, p] of Object.entries(r.profiles)) {
    out.push('');
    out.push(
      p.kind === 'alloc'
        ? `SERVER ALLOCATION PROFILE: ${section} (${p.file}; ${p.total} MB allocated, collected or not)`
        : `SERVER CPU PROFILE: ${section} (${p.file}; busy ${p.busy_pct} % of ${p.total} ms)`,
    );
    out.push(
      table(
        [['  self %', 'function', 'where'], ...p.top_functions.slice(0, 15).map((t) => [`  ${t.self_pct}`, t.name, t.where])],
        ['r', 'l', 'l'],
      ),
    );
    const areas = p.by_area.slice(0, 12);
    const callers = p.by_caller_area.slice(0, 12);
    const rows = [['  self %', 'area', 'self %', 'area, native work charged to its caller']];
    for (let i = 0; i < Math.max(areas.length, callers.length); i++) {
      rows.push([
        areas[i] ? `  ${areas[i]!.self_pct}` : '',
        areas[i]?.area ?? '',
        callers[i] ? String(callers[i]!.self_pct) : '',
        callers[i]?.area ?? '',
      ]);
    }
    out.push(table(rows, ['r', 'l', 'r', 'l']));
  }
  for (const note of r.notes) out.push(`note: ${note}`);
  for (const [k, v] of Object.entries(r.errors)) out.push(`FAILED ${k}: ${v.split('\n')[0]}`);
  return out.join('\n');
}

/** The first table: every goal (a ratio to a peer of this run) with its value and met or missed; then the other ratios. */
function formatGoals(r: BenchResults): string {
  const rows: string[][] = [['GOALS (each a ratio to a peer measured in this run)', 'value', 'goal', '', 'compares']];
  for (const [k, g] of Object.entries(r.goals))
    rows.push([
      `  ${k}`,
      g.value === null ? '—' : String(g.value),
      g.goal,
      g.met === null ? 'not measured' : g.met ? 'met' : 'MISSED',
      g.what,
    ]);
  rows.push(['OTHER RATIOS (information, no goal)', '', '', '', '']);
  for (const [k, v] of Object.entries(r.ratios)) if (!(k in r.goals)) rows.push([`  ${k}`, v === null ? '—' : String(v), '', '', '']);
  return table(rows, ['l', 'r', 'l', 'l', 'l']);
}

/** The scale section: many idle sockets on one server, and broadcasts to one room of them. */
function formatScale(c: Collected): string {
  const rows: string[][] = [
    [
      'SCALE',
      'sockets',
      'connect+join s',
      'RSS growth MB',
      'KB RSS/socket',
      'heap KB/socket',
      'room',
      'deliver p50',
      'deliver p99',
      'whole room p99',
    ],
  ];
  for (const [name, f] of [
    ['chatpop', c.scale],
    ['bare socket.io', c.bareScale],
  ] as const) {
    if (!f) continue;
    rows.push([
      `  ${name}`,
      n(f.sockets),
      ms(f.connect_s),
      n(f.rss_after_mb - f.rss_before_mb),
      n(f.kb_per_socket, 1),
      n(f.heap_kb_per_socket, 1),
      n(f.broadcast.sockets),
      ms(f.broadcast.deliver_ms.p50),
      ms(f.broadcast.deliver_ms.p99),
      ms(f.broadcast.room_ms.p99),
    ]);
  }
  const f = c.scale ?? c.bareScale!;
  return (
    `${table(rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'])}\n` +
    `  ${f.workers} load processes; ${f.broadcast.broadcasts} broadcasts to one room, one at a time (ms from the send to each socket's message:new / to the room's last)` +
    (f.broadcast.missing || f.broadcast.failed ? `; MISSING deliveries ${f.broadcast.missing}, failed sends ${f.broadcast.failed}` : '')
  );
}

/** Process layout and CPU per phase: who used the 2 cores while each figure was taken. */
function formatCpu(c: Collected): string {
  const phases: [string, Record<string, number> | undefined][] = [
    ['send peak', c.send?.peak.cpu_pct],
    ['send ½ peak', c.send?.half_peak_runs[(c.send.half_peak_runs.length - 1) >> 1]?.cpu_pct],
    ['bare emit peak', c.bareEmit?.peak.cpu_pct],
    ['history 1st', c.historyFirst?.cpu_pct],
    ['history deep', c.historyDeep?.cpu_pct],
    ['pg deep page', c.deepPagePg?.cpu_pct],
    ['deep, replica', c.historyDeepReplica?.cpu_pct],
    ['bare route', c.bareRoute?.cpu_pct],
  ];
  const present = phases.filter(([, v]) => v);
  // The machine's other load last: it tells how much the figures above were disturbed.
  const last = (role: string) => Number(role === OTHER_PROCESSES);
  const roles = [...new Set(present.flatMap(([, v]) => Object.keys(v!)))].sort((a, b) => last(a) - last(b));
  const rows: string[][] = [['PROCESSES (pid) — CPU % of one core', ...present.map(([p]) => p)]];
  for (const role of roles) {
    const pid = c.processes.find((p) => p.role === role)?.pid;
    const cells = present.map(([, v]) => (v![role] === undefined ? '' : n(v![role], 0)));
    if (cells.every((x) => x === '' || x === '0')) continue;
    rows.push([`  ${role}${pid ? ` (${pid})` : ''}`, ...cells]);
  }
  const layout = c.processes.map((p) => `  ${p.role}${p.pid ? ` pid ${p.pid}` : ''}: ${p.what}`).join('\n');
  return `PROCESS LAYOUT (all share this machine's ${os.cpus().length} cores)\n${layout}\n\n${table(rows, ['l', ...present.map(() => 'r' as const)])}`;
}

/** What else used the machine over the run: other processes, the kernel's DAMON monitor. */
function formatMachine(m: MachineFigure): string {
  const others = m.busiest_others.map((o) => `${o.name} ${o.cpu_pct}${o.kernel_thread ? ' (kernel thread)' : ''}`).join(', ');
  const out = [
    `MACHINE (what the bench did not start, over its ${m.seconds} s)`,
    `  busiest other processes, % of one core: ${others || 'none above 0.5'}`,
  ];
  const d = m.damon;
  if (d) {
    out.push(
      `  the kernel's DAMON memory monitor is on (${d.running} kdamond; samples every ${d.sample_ms ?? '?'} ms; ${d.actions.length ? `schemes: ${d.actions.join(', ')}` : 'no schemes'}), ` +
        `${d.cpu_ms_per_sample ?? '?'} ms of CPU per sample on average: each sample holds a core about that long, and every process here waits out its share`,
    );
  }
  return out.join('\n');
}

/** The server's longest GC pause in a step, and its full collections: `3.4` or `12.1 +1 mc`. */
function gcCell(st: StepFigure): string {
  const gc = st.server_gc;
  if (!gc) return '';
  return `${ms(gc.max_pause_ms)}${gc.mark_compacts ? ` +${gc.mark_compacts} mc` : ''}`;
}
