// The monitor's cost: throughput of the send + history path with monitoring on vs off, measured
// in-process (services called directly, no HTTP in between, so the monitor's share is as large as
// it can be) at well over 1000 operations per second, where the monitor is in its aggregated mode.
//
// Standalone:  node dist/bench/monitoring-cost.js [--size tiny|quick|full]   (starts its own PostgreSQL + Redis)
// From bench/run.ts: measureMonitoringCost({ settings, serverEnv, watch }) measures on the run's PostgreSQL and Redis.
//
// The measurement runs in a child process of its own: telemetry must start before koa, ioredis and
// pg are loaded (as in server.ts), and only once per process.
import { spawn } from 'node:child_process';
import path from 'node:path';

export type CostSize = 'tiny' | 'quick' | 'full';

export interface MonitoringCostOptions {
  /** bench/run.ts's settings; only `size` is read. @default { size: 'quick' } */
  settings?: { size?: CostSize };
  /** DATABASE_URL and REDIS_URL to measure on; without them a PostgreSQL and a Redis of our own are started. */
  serverEnv?: Record<string, string>;
  /** Registers the measuring process for the run's CPU figures; returns the unregister function. */
  watch?: (w: { role: string; pid: number; tree?: boolean }) => () => void;
  /** Overrides of the size's phase length (ms), rounds and concurrent workers. */
  phaseMs?: number;
  rounds?: number;
  concurrency?: number;
}

export interface MonitoringCost {
  on_ops_per_s: number;
  off_ops_per_s: number;
  /**
   * on / off: 1 means free, 0.97 means monitoring costs 3 % of the throughput. The median of each
   * round's ratio (its on and off phases run back to back), so load that drifts over the run (other
   * processes, a warming database) cancels out rather than landing on one side.
   */
  ratio: number;
  /** The lowest and highest round ratio: how much to trust `ratio`. */
  ratio_range: [number, number];
  /** What the measurement did, for the report. */
  phase_ms: number;
  rounds: number;
  concurrency: number;
  /**
   * CPU time of this process per operation (median over phases), in µs: less disturbed than
   * throughput when other processes share the machine.
   */
  on_cpu_us_per_op: number;
  off_cpu_us_per_op: number;
  /** CPU per operation on / off, the median of the rounds' ratios: 1.03 means 3 % more CPU per operation. */
  cpu_ratio: number;
  /**
   * What one of our spans costs, in µs, with monitoring on and off: a tight loop of `traced` calls
   * doing nothing else (the I/O-free part of the cost, which load on the machine barely moves).
   */
  span_us: { on: number; off: number };
  /** Every phase's ops/s and CPU µs per operation, in the order run. */
  phases: { monitoring: 'on' | 'off'; ops_per_s: number; cpu_us_per_op: number }[];
  /** The monitor's mode at the end of the last `on` phase (aggregated above 1000 ops/s). */
  on_mode: string;
  /** Operations the monitor counted per second while on (each send or read is 1–3 spans). */
  on_spans_per_s: number;
  /** Operations the monitor counted during the off phases: 0 unless switching it off failed. */
  off_spans_counted: number;
  stack: string;
  notes: string[];
}

interface CostParams {
  phaseMs: number;
  rounds: number;
  concurrency: number;
  /** Chats the load is spread over (sends to one chat serialize on its row). */
  chats: number;
  /** `traced` calls timed for `span_us`. */
  spanCalls: number;
}

const SIZES: Record<CostSize, CostParams> = {
  tiny: { phaseMs: 300, rounds: 1, concurrency: 8, chats: 2, spanCalls: 5000 },
  // 16 pairs: single 1 s phases vary by ±5 % on a shared 2-core machine, a monitor costs ~1.5 %
  // (docs/benchmark.md, "Sixth pass"); 8 pairs left the median a standard error of ~3 %.
  quick: { phaseMs: 1000, rounds: 16, concurrency: 32, chats: 8, spanCalls: 50_000 },
  full: { phaseMs: 2000, rounds: 12, concurrency: 32, chats: 8, spanCalls: 100_000 },
};
/** History pages read per message sent: chats are read far more than written. */
const READS_PER_SEND = 3;
/** Below this the figure says little about the monitor at load. */
const TARGET_OPS_PER_S = 1000;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
/** A full collection; the child runs with --expose-gc. */
const collectGarbage = () => (globalThis as { gc?: () => void }).gc?.();

/** Measures monitoring on vs off in a child process; resolves with medians and their ratio. */
export async function measureMonitoringCost(opts: MonitoringCostOptions = {}): Promise<MonitoringCost> {
  const size = SIZES[opts.settings?.size ?? 'quick'];
  const params: CostParams = {
    ...size,
    phaseMs: opts.phaseMs ?? size.phaseMs,
    rounds: opts.rounds ?? size.rounds,
    concurrency: opts.concurrency ?? size.concurrency,
  };
  let env = opts.serverEnv;
  let stopStack: (() => Promise<void>) | undefined;
  if (!env?.DATABASE_URL) {
    const support = await import('../test/support');
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
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REDIS_|DATABASE_|ADMIN_|SESSION_|OTEL_|ENABLE_MONITORING)/.test(k)));
  // --expose-gc: each phase starts from a collected heap (see child()).
  const child = spawn(process.execPath, ['--expose-gc', __filename, '--child', JSON.stringify(params)], {
    env: { ...inherited, ...env, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
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
      const last = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || !last) return reject(new Error(`monitoring-cost child exited ${code}: ${(stderr || stdout).slice(-2000)}`));
      resolve(JSON.parse(last) as MonitoringCost);
    });
  });
}

/** In the child: telemetry first, then the app, then alternating phases. Prints one JSON line. */
async function child(params: CostParams): Promise<void> {
  const { ATTR, Monitor, startTelemetry, traced } = await import('../src/monitoring');
  const monitor = new Monitor({ pod: 'monitoring-cost', enabled: false });
  const telemetry = startTelemetry({ monitor, serviceName: 'chatpop-bench' });
  const notes: string[] = [];
  if (telemetry.lateModules.length) notes.push(`loaded before telemetry: ${telemetry.lateModules.join(', ')}`);

  const [{ createApp }, { loadConfig }, { createLogger }, { chatWithHost }] = await Promise.all([
    import('../src/app'),
    import('../src/config'),
    import('../src/logger'),
    import('../test/support/api-client'),
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
    let sent = 0;
    const phase = async (ms: number): Promise<{ opsPerS: number; cpuUsPerOp: number }> => {
      const deadline = performance.now() + ms;
      let ops = 0;
      const started = performance.now();
      const cpu = process.cpuUsage();
      await Promise.all(
        Array.from({ length: params.concurrency }, async (_, w) => {
          for (let i = 0; performance.now() < deadline; i++) {
            const room = rooms[(w + i) % rooms.length];
            if (i % (READS_PER_SEND + 1) === 0) await app.chat.send.send(room.session, room.code, { content: `load ${sent++}`, channel: 'main' });
            else await app.chat.history.page(room.code, 'main', { mode: 'newest', limit: 50 });
            ops++;
          }
        }),
      );
      const used = process.cpuUsage(cpu);
      return { opsPerS: ops / ((performance.now() - started) / 1000), cpuUsPerOp: (used.user + used.system) / Math.max(1, ops) };
    };
    const setMonitoring = (on: boolean) => app.monitoring.service.updateSettings({ enable_monitoring: on });

    // Warm-up with both settings, so the JIT has compiled both paths before anything counts.
    const warmMs = params.phaseMs < 1000 ? params.phaseMs : Math.max(2000, params.phaseMs);
    for (const on of [true, false]) {
      await setMonitoring(on);
      await phase(warmMs);
    }
    const phases: MonitoringCost['phases'] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    let onMode = 'unknown';
    let spansPerS = 0;
    let offSpans = 0;
    for (let r = 0; r < params.rounds; r++) {
      // Alternate the order so a drift (a warming database, a growing table) favours neither.
      const round: Record<'on' | 'off', number> = { on: 0, off: 0 };
      const cpu: Record<'on' | 'off', number> = { on: 0, off: 0 };
      for (const on of r % 2 === 0 ? [false, true] : [true, false]) {
        await setMonitoring(on);
        // A full collection first, so both settings are measured at the same point of the heap's
        // cycle: scavenges slow down as the old generation fills between full collections (every
        // ~3 s here), which swung single phases by ±25 %, far more than the monitor costs.
        collectGarbage();
        const before = monitor.snapshot({ limit: 0 }).metrics.total_ops;
        const t0 = performance.now();
        const { opsPerS, cpuUsPerOp } = await phase(params.phaseMs);
        const counted = monitor.snapshot({ limit: 0 }).metrics.total_ops - before;
        if (on) {
          onMode = monitor.mode;
          spansPerS = counted / ((performance.now() - t0) / 1000);
        } else {
          offSpans += counted;
        }
        phases.push({ monitoring: on ? 'on' : 'off', ops_per_s: round1(opsPerS), cpu_us_per_op: round1(cpuUsPerOp) });
        round[on ? 'on' : 'off'] = opsPerS;
        cpu[on ? 'on' : 'off'] = cpuUsPerOp;
      }
      ratios.push(round.on / round.off);
      cpuRatios.push(cpu.on / cpu.off);
    }
    const spanCost = async (on: boolean): Promise<number> => {
      await setMonitoring(on);
      const attrs = { [ATTR.chatCode]: 'BENCH001', [ATTR.op]: 'page' };
      const run = async (n: number) => {
        for (let i = 0; i < n; i++) await traced('cache.read', attrs, async (span) => void span.setAttributes({ [ATTR.cacheResult]: 'hit', [ATTR.cacheCount]: 50 }));
      };
      await run(Math.min(5000, params.spanCalls)); // warm-up
      const t0 = performance.now();
      await run(params.spanCalls);
      return ((performance.now() - t0) * 1000) / params.spanCalls;
    };
    const spanUs = { on: await spanCost(true), off: await spanCost(false) };
    await setMonitoring(false);
    const of = (setting: 'on' | 'off', key: 'ops_per_s' | 'cpu_us_per_op') => median(phases.filter((p) => p.monitoring === setting).map((p) => p[key]));
    const on = of('on', 'ops_per_s');
    const off = of('off', 'ops_per_s');
    if (Math.min(on, off) < TARGET_OPS_PER_S) notes.push(`below ${TARGET_OPS_PER_S} ops/s: the monitor was not measured at load`);
    const result: MonitoringCost = {
      on_ops_per_s: round1(on),
      off_ops_per_s: round1(off),
      ratio: round3(median(ratios)),
      ratio_range: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
      on_cpu_us_per_op: round1(of('on', 'cpu_us_per_op')),
      off_cpu_us_per_op: round1(of('off', 'cpu_us_per_op')),
      cpu_ratio: round3(median(cpuRatios)),
      span_us: { on: round3(spanUs.on), off: round3(spanUs.off) },
      phase_ms: params.phaseMs,
      rounds: params.rounds,
      concurrency: params.concurrency,
      phases,
      on_mode: onMode,
      on_spans_per_s: round1(spansPerS),
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
  if (args[0] === '--child') return child(JSON.parse(args[1]));
  const sizeAt = args.indexOf('--size');
  const size = (sizeAt >= 0 ? args[sizeAt + 1] : 'quick') as CostSize;
  if (!(size in SIZES)) {
    process.stderr.write('usage: node dist/bench/monitoring-cost.js [--size tiny|quick|full]\n');
    process.exit(2);
  }
  try {
    const r = await measureMonitoringCost({ settings: { size } });
    process.stdout.write(
      [
        `send + history (1 : ${READS_PER_SEND}) in-process on ${r.stack}, ${r.concurrency} workers, ${r.rounds} × ${r.phase_ms} ms per setting`,
        `  monitoring off       ${r.off_ops_per_s.toFixed(0).padStart(6)} ops/s   ${r.off_cpu_us_per_op.toFixed(0).padStart(5)} µs CPU per op`,
        `  monitoring on        ${r.on_ops_per_s.toFixed(0).padStart(6)} ops/s   ${r.on_cpu_us_per_op.toFixed(0).padStart(5)} µs CPU per op   (mode ${r.on_mode}, ${r.on_spans_per_s.toFixed(0)} spans/s counted)`,
        `  throughput on / off  ${r.ratio.toFixed(3).padStart(6)}   (median of ${r.rounds} back-to-back pairs; range ${r.ratio_range[0].toFixed(3)}–${r.ratio_range[1].toFixed(3)})`,
        `  CPU per op on / off  ${r.cpu_ratio.toFixed(3).padStart(6)}`,
        `  one span, no I/O     ${r.span_us.on.toFixed(2)} µs on, ${r.span_us.off.toFixed(2)} µs off`,
        ...r.notes.map((n) => `  note: ${n}`),
        '',
      ].join('\n'),
    );
  } finally {
    const { stopPostgres } = await import('../test/support');
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
