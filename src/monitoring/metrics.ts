import type { Middleware } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Monitor } from './monitor';

// Process-wide metrics live in one registry; what depends on one app's objects (its monitor, its
// repair queue) lives in a registry per app, merged at scrape time. Several apps in one process
// (tests) then never register a metric name twice.
const processRegistry = new Registry();

/**
 * Prometheus metrics of this process, served by `GET /metrics`. Other layers update them directly,
 * e.g. the realtime gateway counts sockets with `metrics.socketsConnected.inc()` and `.dec()`.
 */
export const metrics = {
  registry: processRegistry,
  /** Duration of HTTP requests by method, route pattern (`/api/chats/:code/messages`) and status. */
  httpRequestDuration: new Histogram({
    name: 'chatpop_http_request_duration_seconds',
    help: 'Duration of HTTP requests, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [processRegistry],
  }),
  /**
   * Server-side time of a socket.io event (`message:send`, `chat:join`, …), from the moment its
   * handler gets it to its ack: for a send, the commit, the cache write and the announcement, not
   * the network or the client. Finer buckets than HTTP's: a send takes milliseconds.
   */
  socketEventDuration: new Histogram({
    name: 'chatpop_socket_event_duration_seconds',
    help: 'Time from a socket.io event reaching its handler to its ack, by event and result (ok or error)',
    labelNames: ['event', 'result'] as const,
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5, 5],
    registers: [processRegistry],
  }),
  /** socket.io connections open on this process; the realtime gateway keeps it current. */
  socketsConnected: new Gauge({
    name: 'chatpop_sockets_connected',
    help: 'socket.io connections open on this pod',
    registers: [processRegistry],
  }),
  /** Messages committed by this process (REST and socket sends), by channel. */
  messagesSent: new Counter({
    name: 'chatpop_messages_sent_total',
    help: 'Messages sent through this pod, by channel',
    labelNames: ['channel'] as const,
    registers: [processRegistry],
  }),
  /** History pages asked of a read replica: served by it, or re-read from the primary (lagging). */
  replicaReads: new Counter({
    name: 'chatpop_db_replica_reads_total',
    help: 'History pages asked of a read replica, by result: served, lagging (re-read from the primary) or failed (replica unreachable; the primary answered)',
    labelNames: ['result'] as const,
    registers: [processRegistry],
  }),
};

for (const result of ['served', 'lagging', 'failed']) metrics.replicaReads.inc({ result }, 0);

// Both series exist from the start, so rate() sees the first message of a channel.
for (const channel of ['main', 'backroom']) metrics.messagesSent.inc({ channel }, 0);

let defaultsStarted = false;

/** Starts Node's default metrics (event-loop lag, heap, GC, CPU) once per process. */
export function startProcessMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
}

/** Label for requests no route matched, so unknown paths cannot blow up the label set. */
const UNMATCHED = 'unmatched';

/**
 * Times every request into `chatpop_http_request_duration_seconds`. Mount it outside the error
 * middleware so it sees the final status of failed requests too.
 */
export function httpMetricsMiddleware(): Middleware {
  return async (ctx, next) => {
    const end = metrics.httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
      end({ method: ctx.method, route: route === undefined ? UNMATCHED : String(route), status: String(ctx.status) });
    }
  };
}

/** What one app reports at scrape time. */
export interface AppMetricSources {
  monitor: Monitor;
  /** Chats waiting for their cache window to be rebuilt (the shared repair queue's depth). */
  repairDepth(): Promise<number>;
  /** True while the cache answers (Redis PING; the in-process cache always does). */
  cacheUp?(): Promise<boolean>;
}

/** How long a scrape waits for the cache's answer before reporting it down. */
const CACHE_PING_TIMEOUT_MS = 1000;

/** The `/metrics` text of one app: the process metrics plus the app's own gauges. */
export class AppMetrics {
  private readonly registry = new Registry();

  constructor(sources: AppMetricSources) {
    const { monitor } = sources;
    const counters = () => monitor.snapshot({ limit: 0 }).metrics;
    new Gauge({
      name: 'chatpop_monitoring_enabled',
      help: '1 while the monitor records cache and database operations (PUT /admin/settings)',
      registers: [this.registry],
      collect() {
        this.set(monitor.enabled ? 1 : 0);
      },
    });
    new Gauge({
      name: 'chatpop_cache_hit_ratio',
      help: 'History reads answered by the cache alone / all cache reads, as counted by the monitor while it is on (0 before any read)',
      registers: [this.registry],
      collect() {
        this.set(counters().hit_rate ?? 0);
      },
    });
    new Counter({
      name: 'chatpop_cache_reads_total',
      help: 'Cache reads by result (hit, miss, partial), counted by the monitor while it is on',
      labelNames: ['result'] as const,
      registers: [this.registry],
      collect() {
        const m = counters();
        this.reset();
        this.inc({ result: 'hit' }, m.hits);
        this.inc({ result: 'miss' }, m.misses);
        this.inc({ result: 'partial' }, m.partial_hits);
      },
    });
    const { cacheUp } = sources;
    if (cacheUp) {
      new Gauge({
        name: 'chatpop_cache_up',
        help: '1 while the cache (Redis) answers a PING within a second at scrape time, else 0',
        registers: [this.registry],
        async collect() {
          let timer: NodeJS.Timeout | undefined;
          const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), CACHE_PING_TIMEOUT_MS)));
          const up = await Promise.race([cacheUp().catch(() => false), late]);
          clearTimeout(timer);
          this.set(up ? 1 : 0);
        },
      });
    }
    new Gauge({
      name: 'chatpop_repair_queue_depth',
      help: 'Chats waiting for their cache window to be rebuilt from the database',
      registers: [this.registry],
      async collect() {
        this.set(await sources.repairDepth().catch(() => Number.NaN));
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Prometheus text exposition of every metric. */
  text(): Promise<string> {
    return Registry.merge([processRegistry, this.registry]).metrics();
  }
}
