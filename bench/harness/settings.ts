// Sizes of one bench run. BENCH_QUICK=1 (or BENCH_SIZE=quick) keeps the whole run under 3 minutes;
// BENCH_SIZE=tiny is the smoke test's size: every piece runs, nothing is worth reading.
import fs from 'node:fs';
import path from 'node:path';

export type BenchSize = 'tiny' | 'quick' | 'full';

export interface BenchSettings {
  size: BenchSize;
  /** Sections to run (BENCH_ONLY=send,history…); all when unset. */
  only: Set<string> | null;
  /** Where results.json and the chart go. @default bench/ in the repo */
  resultsPath: string;
  chartPath: string;
  /** BENCH_PROFILE=1: CPU profiles of the ChatPop server, one per measured section, go here. */
  profileDir: string | null;
  /** BENCH_PROFILE=alloc: allocation profiles instead (where the bytes the collector sweeps come from). */
  profileKind: 'cpu' | 'alloc';
  /** Repeated short runs; figures are their medians. */
  repeats: number;
  /** socket.io send load: rooms × sockets per room, every socket sends and receives. */
  rooms: number;
  socketsPerRoom: number;
  /** Load generator processes for socket loads (rooms are split between them). */
  socketWorkers: number;
  /** Outstanding sends per socket at each step of the closed-loop ramp that finds the peak. */
  rampDepths: number[];
  stepMs: number;
  /** Fractions of the peak offered open-loop; the latency-against-load chart. */
  loadFractions: number[];
  /** BENCH_HALF_RATE: sends/s of the "half peak" runs instead of half the measured peak (A/B comparisons). */
  halfRate: number | null;
  /** BENCH_SERVER_NODE: the node binary of the ChatPop server, e.g. the image's newer Node; null: this one. */
  serverNode: string | null;
  /** autocannon: connections and seconds per run. */
  httpConnections: number;
  httpSeconds: number;
  /** Messages in the history chat; its window holds the newest `cacheWindow`. */
  historyMessages: number;
  /** MESSAGE_CACHE_MAX_COUNT for the server; null keeps ChatPop's default (500). */
  cacheWindow: number | null;
  /** Pause before each memory reading, for sockets to finish joining. */
  settleMs: number;
  /** Messages missed while disconnected, replayed on reconnect. */
  recoveryMissed: number;
  /** Idle sockets for the memory figure. */
  idleSockets: number;
  /** Scale section (in tiny and full runs; in a quick one only when BENCH_ONLY names it): idle sockets on one server. */
  scaleSockets: number;
  /** …of which this many in the room a message is broadcast to. */
  scaleRoomSize: number;
  /** Participants per scale room (each holds roomSize ÷ this many sockets, as tabs). */
  scaleParticipants: number;
  /** Broadcasts to the room, one at a time; the figure is the p99 over every delivery. */
  scaleBroadcasts: number;
  /** BENCH_SCALE_WORKERS: load processes that hold the scale section's sockets (whole rooms each). */
  scaleWorkers: number;
  /** redis-benchmark requests per command; rows for the pg ceiling. */
  redisRequests: number;
  pgRows: number;
}

const SIZES: Record<
  BenchSize,
  Omit<BenchSettings, 'size' | 'only' | 'resultsPath' | 'chartPath' | 'profileDir' | 'profileKind' | 'halfRate' | 'serverNode'>
> = {
  // Two of every repeated run, so that the smoke test goes through each rerun and median.
  tiny: {
    repeats: 2,
    rooms: 2,
    socketsPerRoom: 2,
    socketWorkers: 1,
    rampDepths: [1, 4],
    stepMs: 400,
    loadFractions: [0.5],
    httpConnections: 4,
    httpSeconds: 0.5,
    historyMessages: 160,
    cacheWindow: 50,
    settleMs: 200,
    recoveryMissed: 30,
    idleSockets: 20,
    scaleSockets: 60,
    scaleRoomSize: 30,
    scaleParticipants: 3,
    scaleBroadcasts: 3,
    scaleWorkers: 2,
    redisRequests: 500,
    pgRows: 200,
  },
  quick: {
    repeats: 3,
    rooms: 10,
    socketsPerRoom: 4,
    socketWorkers: 1,
    rampDepths: [1, 2, 4, 8],
    stepMs: 2000,
    // No 0.5: the half-peak runs are that point of the chart.
    loadFractions: [0.25, 0.75, 0.9],
    httpConnections: 50,
    httpSeconds: 2,
    historyMessages: 800,
    cacheWindow: null,
    settleMs: 1000,
    recoveryMissed: 1000,
    idleSockets: 500,
    scaleSockets: 10_000,
    scaleRoomSize: 1000,
    scaleParticipants: 10,
    scaleBroadcasts: 20,
    scaleWorkers: 2,
    redisRequests: 5000,
    pgRows: 2000,
  },
  full: {
    repeats: 5,
    rooms: 10,
    socketsPerRoom: 4,
    socketWorkers: 1,
    rampDepths: [1, 2, 4, 8, 16],
    stepMs: 4000,
    loadFractions: [0.1, 0.25, 0.5, 0.75, 0.9, 1],
    httpConnections: 50,
    httpSeconds: 5,
    historyMessages: 2000,
    cacheWindow: null,
    settleMs: 1000,
    recoveryMissed: 1000,
    idleSockets: 1000,
    scaleSockets: 10_000,
    scaleRoomSize: 1000,
    scaleParticipants: 10,
    scaleBroadcasts: 30,
    scaleWorkers: 2,
    redisRequests: 30_000,
    pgRows: 10_000,
  },
};

/** Every section, in the order a run takes them (BENCH_ONLY names some of them). */
export const SECTIONS = [
  'memory',
  'redis',
  'pg',
  'history',
  'history-deep',
  'history-deep-replica',
  'send',
  'send-per-chat',
  'recovery',
  'monitoring',
  'scale',
] as const;

/**
 * Whether a run takes `section`: those BENCH_ONLY names, or else every one, except in a quick run
 * scale, which does not fit its 3 minutes (10,000 sockets to connect, twice: one to several minutes),
 * and send-per-chat, which runs only when named (a second server and the send section again).
 */
export function runsSection(s: Pick<BenchSettings, 'only' | 'size'>, section: (typeof SECTIONS)[number]): boolean {
  if (s.only) return s.only.has(section);
  if (section === 'send-per-chat') return false;
  return s.size !== 'quick' || section !== 'scale';
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, root = repoRoot()): BenchSettings {
  const size: BenchSize =
    env.BENCH_SIZE === 'tiny' || env.BENCH_SIZE === 'quick' || env.BENCH_SIZE === 'full'
      ? env.BENCH_SIZE
      : env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true'
        ? 'quick'
        : 'full';
  const only = env.BENCH_ONLY
    ? new Set(
        env.BENCH_ONLY.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
    : null;
  const base = SIZES[size];
  return {
    size,
    only,
    resultsPath: env.BENCH_RESULTS ?? path.join(root, 'bench', 'results.json'),
    chartPath: env.BENCH_CHART ?? path.join(root, 'bench', 'latency-vs-load.svg'),
    profileDir: env.BENCH_PROFILE ? path.join(root, 'bench', 'profiles') : null,
    profileKind: env.BENCH_PROFILE === 'alloc' ? 'alloc' : 'cpu',
    ...base,
    socketWorkers: env.BENCH_SOCKET_WORKERS ? Math.max(1, Number(env.BENCH_SOCKET_WORKERS)) : base.socketWorkers,
    scaleWorkers: env.BENCH_SCALE_WORKERS ? Math.max(1, Number(env.BENCH_SCALE_WORKERS)) : base.scaleWorkers,
    // For investigations: other closed-loop steps, e.g. BENCH_RAMP=1,1,8,1.
    rampDepths: positiveList(env.BENCH_RAMP) ?? base.rampDepths,
    // e.g. BENCH_LOAD=0.5 with BENCH_PROFILE=1: a send profile that is mostly the half-peak load.
    loadFractions: positiveList(env.BENCH_LOAD) ?? base.loadFractions,
    halfRate: Number(env.BENCH_HALF_RATE) > 0 ? Number(env.BENCH_HALF_RATE) : null,
    serverNode: env.BENCH_SERVER_NODE || null,
  };
}

/** "1,2,8" → [1, 2, 8], leaving out what is not a positive number; null when unset. */
function positiveList(value: string | undefined): number[] | null {
  return value
    ? value
        .split(',')
        .map(Number)
        .filter((n) => n > 0)
    : null;
}

/** The repo root from bench/ or dist/bench/: the nearest folder with a package.json. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}
