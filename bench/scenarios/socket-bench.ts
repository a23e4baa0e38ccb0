// Send→ack and send→deliver over socket.io, the same workload for the bare ceiling and ChatPop:
// rooms of sockets where every socket sends and receives. A closed-loop ramp (more sends outstanding
// per socket at each step) finds the peak step, which runs again until the peak is a median; open-loop
// steps at fractions of the peak give latency against load; repeated runs at half the peak give the
// goal's p99. See measureSend.
import type { CpuMeter, Watched } from '../harness/cpu';
import type { Room } from '../harness/fixtures';
import type { SocketStepResult } from '../load/load-socket';
import type { ServerGcLog, StepGc } from '../harness/server-gc';
import { timingBetween, type Buckets, type ServerTiming } from '../harness/server-timing';
import type { BenchSettings } from '../harness/settings';
import { median, round, summarize, type LatencySummary } from '../harness/stats';
import { callAll, startWorker, type Worker } from '../load/workers';

export interface StepFigure {
  /** closed loop: sends outstanding per socket; open loop: offered sends/s */
  depth?: number;
  offered_per_s?: number;
  sends_per_s: number;
  delivered_per_s: number;
  ack_ms: LatencySummary;
  deliver_ms: LatencySummary;
  failed: Record<string, number>;
  order_errors: number;
  gap_errors: number;
  skipped: number;
  cpu_pct: Record<string, number>;
  /** % of the step each process's main thread was ready to run but waited for a core */
  cpu_wait_pct: Record<string, number>;
  /** the load generators' own event-loop delay in the window (the worst worker's) */
  load_loop_delay_ms: { p99: number; max: number };
  /** the step's wall window as the orchestrator saw it, epoch ms (the acks' drain after the load included) */
  window: { from: number; to: number };
  /** the ChatPop server's GC pauses that began in the window (ChatPop steps only; null: no log) */
  server_gc?: StepGc | null;
  /** the ChatPop server's own send→ack time in the step, from its /metrics (ChatPop steps only) */
  server_ack?: ServerTiming | null;
}

export interface SendFigures {
  sockets: number;
  rooms: number;
  ramp: StepFigure[];
  /** the ramp's best step and its reruns (`repeats` in all) */
  peak_runs: StepFigure[];
  /** the peak run with the median deliveries */
  peak: StepFigure;
  /** open-loop steps, ascending load */
  load: StepFigure[];
  half_peak_runs: StepFigure[];
  half_peak: {
    offered_per_s: number;
    sends_per_s: number;
    delivered_per_s: number;
    ack_p50_ms: number;
    ack_p95_ms: number;
    ack_p99_ms: number;
    deliver_p99_ms: number;
    /** the server's own part of the ack time (median of runs); null without readings */
    server_ack_p50_ms: number | null;
    server_ack_p95_ms: number | null;
    server_ack_p99_ms: number | null;
  };
}

export interface SendTarget {
  /** names the load processes in the report, e.g. `chatpop` */
  name: string;
  url: string;
  rooms: Room[];
  /** the server's GC log, for ChatPop: each step reports the pauses in its window */
  gc?: ServerGcLog;
  /** reads the server's send-time histogram, for ChatPop: each step reports the server's part */
  sendBuckets?: () => Promise<Buckets>;
}

/** Connects the rooms' sockets from `settings.socketWorkers` load processes (whole rooms per process). */
async function connectWorkers(target: SendTarget, s: BenchSettings, watch: (w: Watched) => () => void) {
  const n = Math.min(s.socketWorkers, target.rooms.length);
  const workers: Worker[] = [];
  const unwatch: (() => void)[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const w = startWorker('load-socket', `load-socket#${i + 1}`);
      workers.push(w);
      unwatch.push(
        watch({
          role: `load: socket.io clients → ${target.name} #${i + 1}`,
          pid: w.pid,
          what: 'node dist/bench/load/load-socket.js: socket.io-client sockets (send loads)',
        }),
      );
    }
    const shares = workers.map((_, i) => target.rooms.filter((_, r) => r % n === i));
    await callAll(workers, 'connect', (i) => ({ url: target.url, rooms: shares[i] }));
    return {
      workers,
      gc: target.gc,
      sendBuckets: target.sendBuckets,
      sockets: shares.map((rooms) => rooms.reduce((k, r) => k + r.tokens.length, 0)),
      close: async () => {
        await Promise.all(workers.map((w) => w.close()));
        unwatch.forEach((u) => u());
      },
    };
  } catch (err) {
    await Promise.all(workers.map((w) => w.close()));
    unwatch.forEach((u) => u());
    throw err;
  }
}

type Connected = Awaited<ReturnType<typeof connectWorkers>>;

async function step(
  c: Connected,
  meter: CpuMeter,
  cmd: 'closed' | 'open',
  args: (i: number) => object,
  label: Partial<StepFigure>,
): Promise<StepFigure> {
  const bucketsBefore = await c.sendBuckets?.();
  const from = Date.now();
  meter.start();
  const parts = await callAll<SocketStepResult>(c.workers, cmd, args);
  const cpu = meter.stop();
  const to = Date.now();
  const bucketsAfter = await c.sendBuckets?.();
  const seconds = Math.max(...parts.map((p) => p.seconds));
  const sum = (f: (p: SocketStepResult) => number) => parts.reduce((n, p) => n + f(p), 0);
  const failed: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.failed)) failed[k] = (failed[k] ?? 0) + v;
  return {
    ...label,
    sends_per_s: Math.round(sum((p) => p.acked_in_window) / seconds),
    delivered_per_s: Math.round(sum((p) => p.delivered_in_window) / seconds),
    ack_ms: summarize(parts.flatMap((p) => p.ack_ms)),
    deliver_ms: summarize(parts.flatMap((p) => p.deliver_ms)),
    failed,
    order_errors: sum((p) => p.order_errors),
    gap_errors: sum((p) => p.gap_errors),
    skipped: sum((p) => p.skipped),
    cpu_pct: cpu,
    cpu_wait_pct: meter.lastWaits(),
    load_loop_delay_ms: {
      p99: round(Math.max(...parts.map((p) => p.loop_delay_ms.p99))),
      max: round(Math.max(...parts.map((p) => p.loop_delay_ms.max))),
    },
    window: { from, to },
    ...(c.gc ? { server_gc: c.gc.during(from, to) } : {}),
    ...(bucketsBefore && bucketsAfter ? { server_ack: timingBetween(bucketsBefore, bucketsAfter) } : {}),
  };
}

/** Offered load split across workers in proportion to their sockets. */
function openArgs(c: Connected, rate: number, durationMs: number) {
  const total = c.sockets.reduce((a, b) => a + b, 0);
  return (i: number) => ({ rate: (rate * (c.sockets[i] as number)) / total, durationMs });
}

/** The ceiling's steps: the same closed-loop ramp, and open-loop steps at ChatPop's rates. */
export interface BareFigures {
  ramp: StepFigure[];
  peak_runs: StepFigure[];
  peak: StepFigure;
  load: StepFigure[];
  /**
   * As many runs at ChatPop's half-peak rate, after ChatPop's: what a server that stores nothing
   * gets on this machine at that rate, the floor under the goal's p99.
   */
  half_peak_runs: StepFigure[];
  /** `offered_per_s` is ChatPop's half-peak rate; `sends_per_s`, what bare socket.io acked of it (median of runs) */
  half_peak: { offered_per_s: number; sends_per_s: number; ack_p50_ms: number; ack_p95_ms: number; ack_p99_ms: number };
}

/**
 * Warm-up at the ramp's heaviest step: JIT and connection pools need load, not just time (a 1 s
 * warm-up at one send per socket left ChatPop's first steps at twice the CPU per send). Not reported.
 */
async function warmUp(c: Connected, s: BenchSettings): Promise<void> {
  await callAll(c.workers, 'closed', () => ({ depth: Math.max(...s.rampDepths), durationMs: Math.max(s.stepMs, 1000) }));
}

/** Steps that failed no ack, or all of them when every one did: a step that lost sends is no peak. */
const clean = (steps: StepFigure[]) => {
  const ok = steps.filter((r) => Object.keys(r.failed).length === 0);
  return ok.length ? ok : steps;
};

/** The step with the most deliveries. */
function peakOf(ramp: StepFigure[]): StepFigure {
  return clean(ramp).reduce((a, b) => (b.delivered_per_s > a.delivered_per_s ? b : a));
}

/** The run with the median deliveries (the lower middle of an even count). */
export function medianRun(runs: StepFigure[]): StepFigure {
  const sorted = [...clean(runs)].sort((a, b) => a.delivered_per_s - b.delivered_per_s);
  return sorted[(sorted.length - 1) >> 1]!;
}

const closedStep = (c: Connected, s: BenchSettings, meter: CpuMeter, depth: number) =>
  step(c, meter, 'closed', () => ({ depth, durationMs: s.stepMs }), { depth });
const openStep = (c: Connected, s: BenchSettings, meter: CpuMeter, rate: number) =>
  step(c, meter, 'open', openArgs(c, rate, s.stepMs), { offered_per_s: Math.round(rate) });

/**
 * ChatPop and the bare ceiling under the same workload, step by step in turn (ChatPop's step, then
 * the bare server's at the same setting), so a noisy moment on the shared machine falls on both
 * sides of the ratio: a closed-loop ramp gives both peaks; open-loop steps at fractions of ChatPop's
 * peak give latency against load for both; repeated runs at half ChatPop's peak give the goal's p99.
 */
export async function measureSend(
  chatpop: SendTarget,
  bare: SendTarget,
  s: BenchSettings,
  meter: CpuMeter,
  watch: (w: Watched) => () => void,
): Promise<{ send: SendFigures; bare: BareFigures }> {
  const cp = await connectWorkers(chatpop, s, watch);
  try {
    const bw = await connectWorkers(bare, s, watch);
    try {
      await warmUp(cp, s);
      await warmUp(bw, s);
      const ramp: StepFigure[] = [];
      const bareRamp: StepFigure[] = [];
      for (const depth of s.rampDepths) {
        ramp.push(await closedStep(cp, s, meter, depth));
        bareRamp.push(await closedStep(bw, s, meter, depth));
      }
      // The ramp's best step runs again, in turns like the ramp, until each peak is the median of
      // `repeats` runs: the best of a few noisy steps is a lucky one, and the open-loop rates and
      // the ratio are drawn from the peak.
      const runsAtPeak = [peakOf(ramp)];
      const bareRunsAtPeak = [peakOf(bareRamp)];
      while (runsAtPeak.length < s.repeats) {
        runsAtPeak.push(await closedStep(cp, s, meter, runsAtPeak[0]!.depth!));
        bareRunsAtPeak.push(await closedStep(bw, s, meter, bareRunsAtPeak[0]!.depth!));
      }
      const peak = medianRun(runsAtPeak);
      const load: StepFigure[] = [];
      const bareLoad: StepFigure[] = [];
      for (const f of s.loadFractions) {
        load.push(await openStep(cp, s, meter, f * peak.sends_per_s));
        bareLoad.push(await openStep(bw, s, meter, f * peak.sends_per_s));
      }
      const halfRate = s.halfRate ?? peak.sends_per_s / 2;
      const runs: StepFigure[] = [];
      for (let i = 0; i < s.repeats; i++) runs.push(await openStep(cp, s, meter, halfRate));
      // After ChatPop's runs, not between them: ChatPop's are measured back to back, as before.
      const bareRuns: StepFigure[] = [];
      for (let i = 0; i < s.repeats; i++) bareRuns.push(await openStep(bw, s, meter, halfRate));
      return {
        send: {
          sockets: cp.sockets.reduce((a, b) => a + b, 0),
          rooms: chatpop.rooms.length,
          ramp,
          peak_runs: runsAtPeak,
          peak,
          load,
          half_peak_runs: runs,
          half_peak: {
            offered_per_s: Math.round(halfRate),
            sends_per_s: median(runs.map((r) => r.sends_per_s)),
            delivered_per_s: median(runs.map((r) => r.delivered_per_s)),
            ...ackMedians(runs),
            deliver_p99_ms: round(median(runs.map((r) => r.deliver_ms.p99))),
            ...serverPart(runs),
          },
        },
        bare: {
          ramp: bareRamp,
          peak_runs: bareRunsAtPeak,
          peak: medianRun(bareRunsAtPeak),
          load: bareLoad,
          half_peak_runs: bareRuns,
          half_peak: {
            offered_per_s: Math.round(halfRate),
            sends_per_s: median(bareRuns.map((r) => r.sends_per_s)),
            ...ackMedians(bareRuns),
          },
        },
      };
    } finally {
      await bw.close();
    }
  } finally {
    await cp.close();
  }
}

/** Every ChatPop send step, in the order they ran: the ramp, the peak step's reruns, the open-loop steps, the half-peak runs. */
export function sendSteps(send: SendFigures): StepFigure[] {
  return [...send.ramp, ...send.peak_runs.slice(1), ...send.load, ...send.half_peak_runs];
}

/** Medians of the runs' send→ack percentiles. */
function ackMedians(runs: StepFigure[]): { ack_p50_ms: number; ack_p95_ms: number; ack_p99_ms: number } {
  return {
    ack_p50_ms: round(median(runs.map((r) => r.ack_ms.p50))),
    ack_p95_ms: round(median(runs.map((r) => r.ack_ms.p95))),
    ack_p99_ms: round(median(runs.map((r) => r.ack_ms.p99))),
  };
}

/** Medians of the runs' server-side ack times, or nulls when the server's histogram was not read. */
function serverPart(runs: StepFigure[]): Pick<SendFigures['half_peak'], 'server_ack_p50_ms' | 'server_ack_p95_ms' | 'server_ack_p99_ms'> {
  const timed = runs.map((r) => r.server_ack).filter((t): t is ServerTiming => Boolean(t));
  if (!timed.length) return { server_ack_p50_ms: null, server_ack_p95_ms: null, server_ack_p99_ms: null };
  return {
    server_ack_p50_ms: round(median(timed.map((t) => t.p50_ms))),
    server_ack_p95_ms: round(median(timed.map((t) => t.p95_ms))),
    server_ack_p99_ms: round(median(timed.map((t) => t.p99_ms))),
  };
}
