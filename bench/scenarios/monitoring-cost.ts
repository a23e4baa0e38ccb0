// The monitor's cost: throughput of the send + history path with monitoring on vs off, measured
// in-process (services called directly, no HTTP in between, so the monitor's share is as large as
// it can be) at well over 1000 operations per second, where the monitor is in its aggregated mode.
// The load never pauses; the monitor's switch flips under it every slice (50 ms), off-on, on-off,
// and each pair of slices gives one ratio.
//
// Standalone:  node dist/bench/scenarios/monitoring-cost.js [--size tiny|quick|full]   (starts its own PostgreSQL + Redis)
// From bench/run.ts: measureMonitoringCost({ settings, serverEnv, watch }) measures on the run's PostgreSQL and Redis.
//
// The measurement runs in a child process of its own: telemetry must start before koa, ioredis and
// pg are loaded (as in server.ts), and only once per process.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { median, round } from '../harness/stats';

export type CostSize = 'tiny' | 'quick' | 'full';

export interface MonitoringCostOptions {
  /** bench/run.ts's settings; only `size` is read. @default { size: 'quick' } */
  settings?: { size?: CostSize };
  /** DATABASE_URL and REDIS_URL to measure on; without them a PostgreSQL and a Redis of our own are started. */
  serverEnv?: Record<string, string>;
  /** Registers the measuring process for the run's CPU figures; returns the unregister function. */
  watch?: (w: { role: string; pid: number; tree?: boolean }) => () => void;
  /** Overrides of the size's slice length (ms), pairs of slices and concurrent workers. */
  sliceMs?: number;
  pairs?: number;
  concurrency?: number;
}

export interface MonitoringCost {
  on_ops_per_s: number;
  off_ops_per_s: number;
  /**
   * on / off: 1 means free, 0.97 means monitoring costs 3 % of the throughput. The median of each
   * pair's ratio (its on and off slices run back to back), so load that drifts over the run (other
   * processes, a warming database, the heap's cycle) cancels out rather than landing on one side.
   */
  ratio: number;
  /** The lowest and highest pair ratio: how much single pairs vary. */
  ratio_range: [number, number];
  /** What the measurement did, for the report. */
  slice_ms: number;
  pairs: number;
  concurrency: number;
  /**
   * CPU time of this process per operation (median over slices), in µs: less disturbed than
   * throughput when other processes share the machine.
   */
  on_cpu_us_per_op: number;
  off_cpu_us_per_op: number;
  /** CPU per operation on / off, the median of the pairs' ratios: 1.03 means 3 % more CPU per operation. */
  cpu_ratio: number;
  /**
   * What one of our spans costs, in µs, with monitoring on and off: a tight loop of `traced` calls
   * doing nothing else (the I/O-free part of the cost, which load on the machine barely moves).
   */
  span_us: { on: number; off: number };
  /** Every slice's ops/s and CPU µs per operation, in the order run. */
  slices: { monitoring: 'on' | 'off'; ops_per_s: number; cpu_us_per_op: number }[];
  /** The monitor's mode at the end of the last `on` slice (aggregated above 1000 ops/s). */
  on_mode: string;
  /** Operations the monitor counted per second while on (each send or read is 1–3 spans). */
  on_spans_per_s: number;
  /** Operations the monitor counted during the off slices: 0 unless switching it off failed. */
  off_spans_counted: number;
  stack: string;
  notes: string[];
}

interface CostParams {
  /** How long the switch stays in one setting. */
  sliceMs: number;
  /** Slice pairs measured (one off, one on). */
  pairs: number;
  /** Warm-up per setting before the pairs. */
  warmMs: number;
  concurrency: number;
  /** Chats the load is spread over (sends to one chat serialize on its row). */
  chats: number;
  /** `traced` calls timed for `span_us`. */
  spanCalls: number;
}

const SIZES: Record<CostSize, CostParams> = {
  tiny: { sliceMs: 300, pairs: 1, warmMs: 300, concurrency: 8, chats: 2, spanCalls: 5000 },
  // Many short slices rather than a few long phases: a shared machine's speed drifts by 15–25 %
  // over seconds, and the heap's cycle (an old generation filling for ~3 s) slows scavenges as it
  // goes; two slices 50 ms apart see nearly the same of both, two 1 s phases did not. Operations in
  // flight at a switch (~3 ms of them) land in the next slice, which shrinks the measured cost by a
  // few % of itself. 400 pairs: a standard error of ~1 % (docs/benchmark.md, "Eighth pass").
  quick: { sliceMs: 50, pairs: 400, warmMs: 2000, concurrency: 32, chats: 8, spanCalls: 50_000 },
  full: { sliceMs: 50, pairs: 1200, warmMs: 2000, concurrency: 32, chats: 8, spanCalls: 100_000 },
};
/** History pages read per message sent: chats are read far more than written. */
const READS_PER_SEND = 3;
/** Below this the figure says little about the monitor at load. */
const TARGET_OPS_PER_S = 1000;

const round1 = (n: number) => round(n, 1);
/** A full collection; the child runs with --expose-gc. */
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

/** Measures monitoring on vs off in a child process; resolves with medians and their ratio. */
export async function measureMonitoringCost(opts: MonitoringCostOptions = {}): Promise<MonitoringCost> {
  const size = SIZES[opts.settings?.size ?? 'quick'];
  const params: CostParams = {
    ...size,
    sliceMs: opts.sliceMs ?? size.sliceMs,
    pairs: opts.pairs ?? size.pairs,
    concurrency: opts.concurrency ?? size.concurrency,
  };
  let env = opts.serverEnv;
  let stopStack: (() => Promise<void>) | undefined;
  if (!env?.DATABASE_URL) {
    const support = await import('../../test/support');
    const [redis, db] = await Promise.all([support.startRedis(), support.createTestDatabase()]);
    env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    stopStack = async () => {
      await redis.stop();
      await db.drop();
    };
  }
  try {
    return await runChild(isolated(env), params, opts.watch);
  } finally {
    await stopStack?.();
  }
}

/**
 * The stack's database, and its Redis in a logical database of its own: the switch and snapshots
 * this measurement writes must not reach the run's server, which shares the same Redis.
 */
function isolated(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { DATABASE_URL: env.DATABASE_URL };
  if (env.REDIS_CLUSTER_NODES) {
    out.REDIS_CLUSTER_NODES = env.REDIS_CLUSTER_NODES;
    if (env.REDIS_URL) out.REDIS_URL = env.REDIS_URL;
  } else if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    url.pathname = '/15';
    out.REDIS_URL = url.toString();
  }
  return out;
}

function runChild(env: Record<string, string>, params: CostParams, watch: MonitoringCostOptions['watch']): Promise<MonitoringCost> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(REDIS_|DATABASE_|ADMIN_|SESSION_|OTEL_|ENABLE_MONITORING)/.test(k)),
  );
  // --expose-gc: the pairs start from a collected heap (see child()).
  const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', JSON.stringify(params)], {
    env: { ...inherited, ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    // stdin stays open for the child's life: when it closes, whoever started the child is gone.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const unwatch = child.pid ? watch?.({ role: 'monitoring-cost', pid: child.pid }) : undefined;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      unwatch?.();
      const last = stdout
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      if (code !== 0 || !last) return reject(new Error(`monitoring-cost child exited ${code}: ${(stderr || stdout).slice(-2000)}`));
      resolve(JSON.parse(last) as MonitoringCost);
    });
  });
}

/** In the child: telemetry first, then the app, then alternating slices. Prints one JSON line. */
async function child(params: CostParams): Promise<void> {
  const [{ Monitor }, { ATTR, startTelemetry, traced }] = await Promise.all([
    import('../../src/monitoring'),
    import('../../src/telemetry'),
  ]);
  const monitor = new Monitor({ pod: 'monitoring-cost', enabled: false });
  const telemetry = startTelemetry({ monitor, serviceName: 'chatpop-bench' });
  const notes: string[] = [];
  if (telemetry.lateModules.length) notes.push(`loaded before telemetry: ${telemetry.lateModules.join(', ')}`);

  const [{ createApp }, { loadConfig }, { createLogger }, { chatWithHost }] = await Promise.all([
    import('../../src/app'),
    import('../../src/config'),
    import('../../src/logger'),
    import('../../test/support/api-client'),
  ]);
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    SESSION_SECRET: 'monitoring-cost-secret-0123456789abcdef',
    ENABLE_MONITORING: 'false',
    SEND_RATE_LIMIT: '100000',
  });
  const app = await createApp(config, createLogger('silent'), { monitor });
  const base = await app.listen();
  try {
    // Chats and sessions through the API, as clients make them; the load then calls the services.
    const rooms = await Promise.all(
      Array.from({ length: params.chats }, async () => {
        const { code, host } = await chatWithHost(base);
        return { code, session: await app.tokens.verifySession(host.token!) };
      }),
    );
    // The slices flip the monitor's own switch, where the run-time switch ends up: the service must
    // stop following the shared setting (it would flip it back every 2 s), and a Redis write per
    // slice would only add noise.
    await app.monitoring.service.close();
    const setMonitoring = (on: boolean) => monitor.setEnabled(on);
    const counted = () => monitor.snapshot({ limit: 0 }).metrics.total_ops;

    // Warm-up with both settings, so the JIT has compiled both paths before anything counts; then
    // the pairs: off-on, on-off, off-on…, so a drift within a pair favours neither setting.
    const plan = [
      { on: true, ms: params.warmMs, warm: true },
      { on: false, ms: params.warmMs, warm: true },
      ...Array.from({ length: params.pairs }, (_, pair) =>
        (pair % 2 === 0 ? [false, true] : [true, false]).map((on) => ({ on, ms: params.sliceMs, warm: false })),
      ).flat(),
    ];
    const measured: { on: boolean; opsPerS: number; cpuUsPerOp: number; spans: number; seconds: number; mode: string }[] = [];
    let sent = 0;
    let ops = 0;
    let at = -1;
    let open = { ops: 0, spans: 0, cpu: process.cpuUsage(), t: 0, until: 0 };
    /** Closes the slice in progress and opens the next; false once the plan is done. */
    const nextSlice = (): boolean => {
      const now = performance.now();
      if (at >= 0 && !plan[at].warm) {
        const used = process.cpuUsage(open.cpu);
        const done = ops - open.ops;
        const seconds = (now - open.t) / 1000;
        measured.push({
          on: plan[at].on,
          opsPerS: done / seconds,
          cpuUsPerOp: (used.user + used.system) / Math.max(1, done),
          spans: counted() - open.spans,
          seconds,
          mode: monitor.mode,
        });
      }
      if (++at === plan.length) return false;
      if (plan[at - 1]?.warm && !plan[at].warm) collectGarbage(); // the pairs start from a collected heap
      setMonitoring(plan[at].on);
      const t = performance.now();
      open = { ops, spans: counted(), cpu: process.cpuUsage(), t, until: t + plan[at].ms };
      return true;
    };
    nextSlice();
    // The load never pauses; the workers themselves move to the next slice when one is over (no
    // timer: on SQLite with the in-memory cache an operation can complete without yielding to one).
    let running = true;
    await Promise.all(
      Array.from({ length: params.concurrency }, async (_, w) => {
        for (let i = 0; running; i++) {
          const room = rooms[(w + i) % rooms.length];
          if (i % (READS_PER_SEND + 1) === 0)
            await app.chat.send.send(room.session, room.code, { content: `load ${sent++}`, channel: 'main' });
          else await app.chat.history.page(room.code, 'main', { mode: 'newest', limit: 50 });
          ops++;
          if (running && performance.now() >= open.until) running = nextSlice();
        }
      }),
    );

    const slices: MonitoringCost['slices'] = measured.map((m) => ({
      monitoring: m.on ? 'on' : 'off',
      ops_per_s: round1(m.opsPerS),
      cpu_us_per_op: round1(m.cpuUsPerOp),
    }));
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    for (let i = 0; i + 1 < measured.length; i += 2) {
      const [on, off] = measured[i].on ? [measured[i], measured[i + 1]] : [measured[i + 1], measured[i]];
      ratios.push(on.opsPerS / off.opsPerS);
      cpuRatios.push(on.cpuUsPerOp / off.cpuUsPerOp);
    }
    const onSlices = measured.filter((m) => m.on);
    const onSpans = onSlices.reduce((n, m) => n + m.spans, 0);
    const onSeconds = onSlices.reduce((n, m) => n + m.seconds, 0);
    const offSpans = measured.filter((m) => !m.on).reduce((n, m) => n + m.spans, 0);
    const onMode = onSlices.at(-1)?.mode ?? 'unknown';

    const spanCost = async (on: boolean): Promise<number> => {
      setMonitoring(on);
      const attrs = { [ATTR.chatCode]: 'BENCH001', [ATTR.op]: 'page' };
      const run = async (n: number) => {
        for (let i = 0; i < n; i++)
          await traced('cache.read', attrs, async (span) => void span.setAttributes({ [ATTR.cacheResult]: 'hit', [ATTR.cacheCount]: 50 }));
      };
      await run(Math.min(5000, params.spanCalls)); // warm-up
      const t0 = performance.now();
      await run(params.spanCalls);
      return ((performance.now() - t0) * 1000) / params.spanCalls;
    };
    const spanUs = { on: await spanCost(true), off: await spanCost(false) };
    const of = (setting: 'on' | 'off', key: 'ops_per_s' | 'cpu_us_per_op') =>
      median(slices.filter((p) => p.monitoring === setting).map((p) => p[key]));
    const on = of('on', 'ops_per_s');
    const off = of('off', 'ops_per_s');
    if (Math.min(on, off) < TARGET_OPS_PER_S) notes.push(`below ${TARGET_OPS_PER_S} ops/s: the monitor was not measured at load`);
    const result: MonitoringCost = {
      on_ops_per_s: round1(on),
      off_ops_per_s: round1(off),
      ratio: round(median(ratios)),
      ratio_range: [round(Math.min(...ratios)), round(Math.max(...ratios))],
      on_cpu_us_per_op: round1(of('on', 'cpu_us_per_op')),
      off_cpu_us_per_op: round1(of('off', 'cpu_us_per_op')),
      cpu_ratio: round(median(cpuRatios)),
      span_us: { on: round(spanUs.on), off: round(spanUs.off) },
      slice_ms: params.sliceMs,
      pairs: params.pairs,
      concurrency: params.concurrency,
      slices,
      on_mode: onMode,
      on_spans_per_s: round1(onSpans / Math.max(1e-9, onSeconds)),
      off_spans_counted: offSpans,
      stack: `${config.databaseUrl.split(':')[0]}+${app.cache.kind}`,
      notes,
    };
    process.stdout.write(JSON.stringify(result) + '\n');
  } finally {
    await app.close();
    await telemetry.shutdown();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    // Its parent gone (a test's timeout, a killed bench), the child must not go on loading the machine.
    process.stdin.on('end', () => process.exit(3)).resume();
    return child(JSON.parse(args[1]));
  }
  const sizeAt = args.indexOf('--size');
  const size = (sizeAt >= 0 ? args[sizeAt + 1] : 'quick') as CostSize;
  if (!(size in SIZES)) {
    process.stderr.write('usage: node dist/bench/scenarios/monitoring-cost.js [--size tiny|quick|full]\n');
    process.exit(2);
  }
  try {
    const r = await measureMonitoringCost({ settings: { size } });
    process.stdout.write(
      [
        `send + history (1 : ${READS_PER_SEND}) in-process on ${r.stack}, ${r.concurrency} workers, ${r.pairs} pairs of ${r.slice_ms} ms slices, off and on`,
        `  monitoring off       ${r.off_ops_per_s.toFixed(0).padStart(6)} ops/s   ${r.off_cpu_us_per_op.toFixed(0).padStart(5)} µs CPU per op`,
        `  monitoring on        ${r.on_ops_per_s.toFixed(0).padStart(6)} ops/s   ${r.on_cpu_us_per_op.toFixed(0).padStart(5)} µs CPU per op   (mode ${r.on_mode}, ${r.on_spans_per_s.toFixed(0)} spans/s counted)`,
        `  throughput on / off  ${r.ratio.toFixed(3).padStart(6)}   (median of ${r.pairs} pairs; range ${r.ratio_range[0].toFixed(3)}–${r.ratio_range[1].toFixed(3)})`,
        `  CPU per op on / off  ${r.cpu_ratio.toFixed(3).padStart(6)}`,
        `  one span, no I/O     ${r.span_us.on.toFixed(2)} µs on, ${r.span_us.off.toFixed(2)} µs off`,
        ...r.notes.map((n) => `  note: ${n}`),
        '',
      ].join('\n'),
    );
  } finally {
    const { stopPostgres } = await import('../../test/support');
    await stopPostgres();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`monitoring-cost: ${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
