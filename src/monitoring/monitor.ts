import type { AttributeValue } from '@opentelemetry/api';
import { AdaptiveSampler, modeFor, sampleRateFor, type AdaptiveSamplerOptions, type MonitorMode } from './adaptive-sampler';
import { LatencyStats, type LatencySummary } from './latency-stats';
import {
  ATTR,
  ERROR_KINDS,
  OPERATION_NAMES,
  isCacheResult,
  isErrorKind,
  isOperationName,
  type CacheResult,
  type EndedSpan,
  type ErrorKind,
  type OperationName,
  type SpanConsumer,
} from '../telemetry';
import { RingBuffer } from './ring-buffer';
import type { PodGauges } from './gauges';

/** One finished operation, as the span processor (or a test) reports it. Carries no message content. */
export interface OperationRecord {
  op: OperationName;
  chatCode?: string;
  /** cache.read only */
  result?: CacheResult;
  /** Messages or rows moved by the operation. */
  count?: number;
  /** hybrid.query only: messages from the cache and from the database. */
  cacheCount?: number;
  dbCount?: number;
  /** The service-level action inside the span, e.g. 'send', 'history'. */
  action?: string;
  /** db.read from a replica: 'served' or 'lagging'. */
  replica?: string;
  durationMs: number;
  /** Epoch ms when the operation ended. @default now */
  endedAt?: number;
  failed?: boolean;
  /** A failed operation's error: whose it is, its code and words. @default kind 'server' */
  error?: { kind: ErrorKind; code?: string; message?: string };
}

/** What failed in an event: a client's refusal (4xx), a store's failure or the server's own. */
export interface EventError {
  kind: ErrorKind;
  /** `conflict`, a SQLSTATE such as `57P01`, `ECONNREFUSED`, or the error's class */
  code: string | null;
  message: string | null;
}

/** One of the chats with the most operations lately. */
export interface BusyChat {
  chat_code: string;
  ops: number;
}

/** An entry of the event log: codes, counts and timings only, never message content. */
export interface MonitorEvent {
  ts: string;
  op: OperationName;
  chat_code: string | null;
  result?: CacheResult | 'error';
  count?: number;
  cache_count?: number;
  db_count?: number;
  action?: string;
  /** db.read from a replica: 'served', or 'lagging' (re-read from the primary) */
  replica?: 'served' | 'lagging' | 'failed';
  duration_ms: number;
  pod: string;
  /** with result 'error' */
  error?: EventError;
}

export interface MonitorMetrics {
  ops_per_second: number;
  /** Share of events currently kept in the event log (1 detailed, 0 aggregated). */
  sample_rate: number;
  total_ops: number;
  hits: number;
  misses: number;
  partial_hits: number;
  /** hits / (hits + misses + partial_hits): reads answered by the cache alone; null before any read. */
  hit_rate: number | null;
  cache_reads: number;
  cache_writes: number;
  db_reads: number;
  db_writes: number;
  hybrid_queries: number;
  socket_joins: number;
  socket_sends: number;
  /** Operations that failed on the server's side: a store's failure or the server's own (not a client's refusal). */
  errors: number;
  /** Failed operations by whose failure it was; a client's 4xx refusal counts as `client` only. */
  errors_by_kind: Record<ErrorKind, number>;
  /** The chats with the most operations in the last one to two minutes, busiest first (at most ten). */
  busiest_chats: BusyChat[];
  /** Events that went into the event log since `since`. */
  events_kept: number;
  ops: Record<OperationName, number>;
  latency_ms: Partial<Record<OperationName, LatencySummary>>;
  /** When the counters started (monitor creation or `reset()`). */
  since: string;
}

/** What one pod reports: published to Redis and served by `/admin/monitoring/api`. */
export interface MonitorSnapshot {
  pod: string;
  mode: MonitorMode;
  enabled: boolean;
  taken_at: string;
  metrics: MonitorMetrics;
  /** Newest first. */
  events: MonitorEvent[];
  /** Sockets, repair queue and Redis memory as the pod read them at publish (the service adds them). */
  gauges?: PodGauges;
}

export interface SnapshotOptions {
  /** Most events returned. @default all held (the ring capacity) */
  limit?: number;
  /** Only events of this chat code (case-insensitive). */
  chat?: string;
}

export interface MonitorOptions {
  /** Name of this pod in cross-pod views. @default `pod-${process.pid}` */
  pod?: string;
  /** Initial switch; `setEnabled` changes it at run time. @default false */
  enabled?: boolean;
  /** Events kept in the ring buffer. @default 1000 */
  capacity?: number;
  /** Durations kept per operation type for percentiles. @default 1024 */
  latencyWindow?: number;
  /** Rate window, clock and random source of the adaptive sampler. */
  sampler?: AdaptiveSamplerOptions;
  /** Wall clock for timestamps, epoch ms. @default Date.now */
  wallClock?: () => number;
}

// Chat codes and actions are short identifiers; anything else (free text) is dropped so no content can leak.
const SAFE_CODE = /^[A-Za-z0-9_-]{1,64}$/;
const SAFE_ACTION = /^[A-Za-z0-9_.:-]{1,64}$/;

const zeroCounts = (): Record<OperationName, number> =>
  Object.fromEntries(OPERATION_NAMES.map((op) => [op, 0])) as Record<OperationName, number>;

const zeroKinds = (): Record<ErrorKind, number> => Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;

/** How many of the busiest chats a snapshot lists. */
const BUSIEST = 10;
/** Chats counted per window; beyond it new chats wait for the next window (bounded memory under a flood of codes). */
const BUSY_CHATS_MAX = 5000;

/**
 * Operations per chat over the current and the previous minute: two maps swapped each minute, so
 * "busiest" means lately, memory stays bounded and counting costs one map update.
 */
class BusyCounter {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private windowStart: number;

  constructor(
    private readonly clock: () => number,
    private readonly windowMs = 60_000,
  ) {
    this.windowStart = clock();
  }

  add(code: string): void {
    this.turn();
    const n = this.current.get(code);
    if (n !== undefined) this.current.set(code, n + 1);
    else if (this.current.size < BUSY_CHATS_MAX && SAFE_CODE.test(code)) this.current.set(code, 1);
  }

  top(n: number): BusyChat[] {
    this.turn();
    const sum = new Map(this.previous);
    for (const [code, ops] of this.current) sum.set(code, (sum.get(code) ?? 0) + ops);
    return [...sum]
      .map(([chat_code, ops]) => ({ chat_code, ops }))
      .sort((a, b) => b.ops - a.ops || a.chat_code.localeCompare(b.chat_code))
      .slice(0, n);
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
    this.windowStart = this.clock();
  }

  private turn(): void {
    const now = this.clock();
    if (now - this.windowStart < this.windowMs) return;
    this.previous = now - this.windowStart < 2 * this.windowMs ? this.current : new Map();
    this.current = new Map();
    this.windowStart = now;
  }
}

const round3 = (ms: number): number => Math.round(ms * 1000) / 1000;

/**
 * Counters, latency percentiles and a sampled event log of cache and database operations.
 * `record` is the hot path: when disabled it returns after one branch.
 */
export class Monitor implements SpanConsumer {
  readonly pod: string;
  private on: boolean;
  private readonly sampler: AdaptiveSampler;
  private readonly events: RingBuffer<MonitorEvent>;
  private readonly latency: LatencyStats<OperationName>;
  private readonly wallClock: () => number;
  private readonly listeners = new Set<(enabled: boolean) => void>();
  private ops = zeroCounts();
  private hits = 0;
  private misses = 0;
  private partials = 0;
  private errorKinds = zeroKinds();
  private kept = 0;
  private readonly busy: BusyCounter;
  private since: number;

  constructor(options: MonitorOptions = {}) {
    this.pod = options.pod ?? `pod-${process.pid}`;
    this.on = options.enabled ?? false;
    this.sampler = new AdaptiveSampler(options.sampler);
    this.events = new RingBuffer(options.capacity ?? 1000);
    this.latency = new LatencyStats(options.latencyWindow ?? 1024);
    this.wallClock = options.wallClock ?? Date.now;
    this.since = this.wallClock();
    this.busy = new BusyCounter(this.wallClock);
  }

  get enabled(): boolean {
    return this.on;
  }

  /** Turns recording on or off at run time; counters and events are kept across switches. */
  setEnabled(enabled: boolean): void {
    if (enabled === this.on) return;
    this.on = enabled;
    for (const listener of this.listeners) listener(enabled);
  }

  /** Calls `listener` on every change of the switch; returns the unsubscribe function. */
  onEnabledChange(listener: (enabled: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Counts one finished operation and, as the sampler decides, logs it as an event. */
  /**
   * Counts one of our spans (telemetry's port). Only whitelisted attributes are read, and only those
   * the counters need unless the sampler keeps the span's event.
   */
  recordSpan(span: EndedSpan): void {
    if (!this.enabled || !isOperationName(span.name)) return;
    const op = span.name;
    const read = span.attribute(ATTR.cacheResult);
    const result = isCacheResult(read) ? read : undefined; // counted for cache.read only; any op's event shows it
    const kind = span.failed ? span.attribute(ATTR.errorKind) : undefined;
    const chat = span.attribute(ATTR.chatCode);
    if (typeof chat === 'string') this.busy.add(chat);
    const counted = this.count(op, span.failed, result, span.durationMs, isErrorKind(kind) ? kind : undefined);
    if (counted) this.keep(eventRecord(op, result, span));
  }

  record(r: OperationRecord): void {
    if (this.on && r.chatCode !== undefined) this.busy.add(r.chatCode);
    if (this.count(r.op, r.failed ?? false, r.result, r.durationMs, r.error?.kind)) this.keep(r);
  }

  /**
   * The first half of `record`, for callers that build the record only when it is wanted (the span
   * processor: above 1000 operations per second no event is kept). Counts one finished operation;
   * true when the sampler wants its event, which the caller then hands to `keep`.
   */
  count(op: OperationName, failed: boolean, result: CacheResult | undefined, durationMs: number, errorKind: ErrorKind = 'server'): boolean {
    if (!this.on) return false;
    this.ops[op]++;
    if (failed) this.errorKinds[errorKind]++;
    else if (op === 'cache.read') {
      if (result === 'hit') this.hits++;
      else if (result === 'miss') this.misses++;
      else if (result === 'partial') this.partials++;
    }
    this.latency.record(op, durationMs);
    return this.sampler.tick();
  }

  /** Logs the event of an operation `count` has counted and said to keep. */
  keep(r: OperationRecord): void {
    this.kept++;
    this.events.push(this.toEvent(r));
  }

  /** The current mode, from the load over the sampler's window. */
  get mode(): MonitorMode {
    return this.sampler.mode();
  }

  snapshot(options: SnapshotOptions = {}): MonitorSnapshot {
    const opsPerSecond = this.sampler.opsPerSecond();
    const chat = options.chat?.toUpperCase();
    return {
      pod: this.pod,
      mode: modeFor(opsPerSecond),
      enabled: this.on,
      taken_at: new Date(this.wallClock()).toISOString(),
      metrics: this.metrics(opsPerSecond),
      events: this.events.newest(options.limit, chat ? (e) => e.chat_code?.toUpperCase() === chat : undefined),
    };
  }

  /** Clears counters, latencies, events and the load window. */
  reset(): void {
    this.ops = zeroCounts();
    this.hits = this.misses = this.partials = this.kept = 0;
    this.errorKinds = zeroKinds();
    this.busy.clear();
    this.latency.clear();
    this.events.clear();
    this.sampler.reset();
    this.since = this.wallClock();
  }

  private metrics(opsPerSecond: number): MonitorMetrics {
    const ops = { ...this.ops };
    const reads = this.hits + this.misses + this.partials;
    return {
      ops_per_second: Math.round(opsPerSecond * 100) / 100,
      sample_rate: sampleRateFor(opsPerSecond),
      total_ops: OPERATION_NAMES.reduce((sum, op) => sum + ops[op], 0),
      hits: this.hits,
      misses: this.misses,
      partial_hits: this.partials,
      hit_rate: reads ? this.hits / reads : null,
      cache_reads: ops['cache.read'],
      cache_writes: ops['cache.write'],
      db_reads: ops['db.read'],
      db_writes: ops['db.write'],
      hybrid_queries: ops['hybrid.query'],
      socket_joins: ops['socket.join'],
      socket_sends: ops['socket.send'],
      errors: this.errorKinds.store + this.errorKinds.server,
      errors_by_kind: { ...this.errorKinds },
      busiest_chats: this.busy.top(BUSIEST),
      events_kept: this.kept,
      ops,
      latency_ms: this.latency.summary(),
      since: new Date(this.since).toISOString(),
    };
  }

  private toEvent(r: OperationRecord): MonitorEvent {
    const event: MonitorEvent = {
      ts: new Date(r.endedAt ?? this.wallClock()).toISOString(),
      op: r.op,
      chat_code: r.chatCode !== undefined && SAFE_CODE.test(r.chatCode) ? r.chatCode : null,
      duration_ms: round3(r.durationMs),
      pod: this.pod,
    };
    if (r.failed) {
      event.result = 'error';
      event.error = { kind: r.error?.kind ?? 'server', code: r.error?.code ?? null, message: r.error?.message ?? null };
    } else if (r.result !== undefined) event.result = r.result;
    if (r.count !== undefined) event.count = r.count;
    if (r.cacheCount !== undefined) event.cache_count = r.cacheCount;
    if (r.dbCount !== undefined) event.db_count = r.dbCount;
    if (r.action !== undefined && SAFE_ACTION.test(r.action)) event.action = r.action;
    if (r.replica === 'served' || r.replica === 'lagging' || r.replica === 'failed') event.replica = r.replica;
    return event;
  }
}

const numberOrUndefined = (v: AttributeValue | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
const stringOrUndefined = (v: AttributeValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** What the event of a counted span says: what `count` took, and the attributes only events carry. */
function eventRecord(op: OperationName, result: CacheResult | undefined, span: EndedSpan): OperationRecord {
  const cacheCount = numberOrUndefined(span.attribute(ATTR.cacheCount));
  const dbCount = numberOrUndefined(span.attribute(ATTR.dbCount));
  let count: number | undefined;
  if (op === 'hybrid.query') {
    count = cacheCount !== undefined || dbCount !== undefined ? (cacheCount ?? 0) + (dbCount ?? 0) : undefined;
  } else if (op.startsWith('cache.')) {
    count = cacheCount;
  } else {
    count = dbCount ?? cacheCount;
  }
  return {
    op,
    chatCode: stringOrUndefined(span.attribute(ATTR.chatCode)),
    result,
    count,
    cacheCount: op === 'hybrid.query' ? cacheCount : undefined,
    dbCount: op === 'hybrid.query' ? dbCount : undefined,
    action: stringOrUndefined(span.attribute(ATTR.op)),
    replica: stringOrUndefined(span.attribute(ATTR.replica)),
    durationMs: span.durationMs,
    endedAt: span.endedAtMs,
    failed: span.failed,
    error: span.failed ? spanError(span) : undefined,
  };
}

function spanError(span: EndedSpan): OperationRecord['error'] {
  const kind = span.attribute(ATTR.errorKind);
  return {
    kind: isErrorKind(kind) ? kind : 'server',
    code: stringOrUndefined(span.attribute(ATTR.errorCode)),
    message: stringOrUndefined(span.attribute(ATTR.errorMessage)),
  };
}
