#!/usr/bin/env node
// `make bench`: starts its own Redis, PostgreSQL, ChatPop server and bare ceiling servers, measures
// the ceilings and ChatPop in the same run, prints a table, writes bench/results.json and
// bench/latency-vs-load.svg. BENCH_QUICK=1 for a run under 3 minutes; see docs/benchmark.md.
import fs from 'node:fs';
import path from 'node:path';
import { CpuMeter } from './harness/cpu';
import { MachineWatch } from './harness/machine';
import { Fixtures, type Room } from './harness/fixtures';
import { measureHttp, type HttpTarget } from './scenarios/http-bench';
import { measureIdleMemory } from './scenarios/memory-bench';
import { measureMonitoringCost } from './scenarios/monitoring-cost';
import { measurePg } from './scenarios/pg-ceiling';
import { startProfile, summarizeProfile } from './harness/profile';
import { readSendBuckets } from './harness/server-timing';
import { measureRecovery } from './scenarios/recovery-bench';
import { measureRedis } from './scenarios/redis-ceiling';
import { buildResults, formatTable, type Collected } from './report/report';
import { loadSettings, repoRoot, runsSection, SECTIONS } from './harness/settings';
import { measureScale } from './scenarios/scale-bench';
import { measureSend, medianRun } from './scenarios/socket-bench';
import { pgPageTarget, replicaReads, type PgPageTarget } from './scenarios/deep-page-ceiling';
import { startStack, type PerChat, type Replica } from './harness/stack';
import { ServerCounters } from './harness/server-counters';
import { renderChart } from './report/svg-chart';
import { startWorker, type Worker } from './load/workers';
import { ApiClient } from '../test/support/api-client';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<number> {
  const s = loadSettings();
  const root = repoRoot();
  const startedAt = new Date();
  const want = (name: (typeof SECTIONS)[number]) => runsSection(s, name);
  const unknown = [...(s.only ?? [])].filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`BENCH_ONLY: no section ${unknown.join(', ')} (sections: ${SECTIONS.join(', ')})`);
  if (s.profileDir) fs.rmSync(s.profileDir, { recursive: true, force: true });

  log(`size ${s.size}; starting Redis, PostgreSQL, the ChatPop server and the bare servers`);
  const stack = await startStack({
    serverNode: s.serverNode ?? undefined,
    serverEnv: {
      ...(s.cacheWindow ? { MESSAGE_CACHE_MAX_COUNT: String(s.cacheWindow) } : {}),
      ...(s.profileDir ? { BENCH_PROBE_PROFILE_DIR: s.profileDir, BENCH_PROBE_PROFILE_KIND: s.profileKind } : {}),
    },
  });
  const c: Collected = { processes: [], profiles: {}, errors: {}, notes: [] };
  const watch = stack.addWatched;
  const meter = new CpuMeter(() => stack.watched());
  const machine = new MachineWatch();
  machine.start();
  const section = async (name: string, fn: () => Promise<void>, wanted = want(name as (typeof SECTIONS)[number])) => {
    if (!wanted) return;
    const t = performance.now();
    log(`${name} …`);
    try {
      await fn();
      log(`${name} done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    } catch (err) {
      c.errors[name] = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${name} FAILED: ${c.errors[name]}`);
    }
  };
  /** With BENCH_PROFILE, a CPU or allocation profile of the ChatPop server while `fn` measures it (set-up excluded). */
  const profiled = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (!s.profileDir) return fn();
    const profile = await startProfile(stack.server);
    try {
      return await fn();
    } finally {
      c.profiles[name] = summarizeProfile(await profile.stop(), root);
    }
  };

  const url = stack.server.url;
  try {
    const fx = await Fixtures.create(url);
    let sendRooms: Room[] = [];
    const rooms = async () => (sendRooms.length ? sendRooms : (sendRooms = await fx.rooms(s.rooms, s.socketsPerRoom)));

    await section('memory', async () => {
      c.memory = await measureIdleMemory('chatpop', stack.server, await rooms(), s.idleSockets, s.settleMs, watch);
      c.bareMemory = await measureIdleMemory('bare', stack.bareEmit, await rooms(), s.idleSockets, s.settleMs, watch);
    });

    await section('redis', async () => {
      meter.start();
      c.redis = await measureRedis(stack.redis.port, s.redisRequests, s.repeats);
      c.notes.push(
        `redis-benchmark: 50 clients, no pipelining, ${s.redisRequests} requests per run; redis-server CPU ${meter.stop()['redis-server']} %`,
      );
    });

    await section('pg', async () => {
      c.pg = await measurePg(stack.db.url, s.pgRows, s.repeats, watch);
    });

    let historyRoom: Promise<Room> | undefined;
    const seeded = () =>
      (historyRoom ??= fx.room(1, 'h').then(async (room) => {
        await fx.seed(room, s.historyMessages);
        return room;
      }));
    const withAutocannon = async <T>(fn: (worker: Worker) => Promise<T>): Promise<T> => {
      const worker = startWorker('load-http');
      const unwatch = watch({
        role: 'load: autocannon',
        pid: worker.pid,
        what: 'node dist/bench/load/load-http.js: autocannon (history and bare route)',
      });
      try {
        return await fn(worker);
      } finally {
        await worker.close();
        unwatch();
      }
    };
    const sourceOf = async (u: string) => (await fx.get(u.slice(url.length))).body?.source as string;

    await section('history', async () => {
      const room = await seeded();
      const first = `${url}/api/chats/${room.code}/messages?limit=50`;
      const figures = await profiled('history first page', () =>
        withAutocannon((worker) =>
          measureHttp(worker, { bare: `${stack.bareRoute.url}/api/chats/${room.code}/messages?limit=50`, first }, s, meter),
        ),
      );
      c.bareRoute = figures.bare;
      c.historyFirst = { ...figures.first, source: await sourceOf(first) };
      if (c.historyFirst!.source !== 'cache') c.notes.push(`history first page came from "${c.historyFirst!.source}", not the cache`);
    });

    // Deep pages (below the cache window, from PostgreSQL) in turns with their ceiling, the server's own
    // page statement through a bare pg pool on the same rows; and, with the replica section, the same
    // page from a second server that reads it from a streaming standby.
    const deepWanted = want('history-deep') || want('history-deep-replica');
    await section(
      want('history-deep') ? 'history-deep' : 'history-deep-replica',
      async () => {
        const room = await seeded();
        // The deep page ends below the window (the newest `window` seqs), so only the database has it.
        const deepBefore = Math.max(51, s.historyMessages - (s.cacheWindow ?? 500) - 50);
        const query = `/api/chats/${room.code}/messages?limit=50&before=${deepBefore}`;
        const page = await fx.get(query);
        const seqs = (page.body?.messages ?? []).map((m: { seq: number }) => m.seq) as number[];
        if (page.status !== 200 || !seqs.length) throw new Error(`deep page ${query}: ${page.status} ${JSON.stringify(page.body)}`);
        const [lo, hi] = [Math.min(...seqs), Math.max(...seqs)];
        let replica: Replica | null = null;
        let pg: PgPageTarget | null = null;
        try {
          if (want('history-deep-replica')) {
            const t = performance.now();
            replica = await stack.startReplica();
            log(`history-deep-replica: standby and second server ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
          }
          if (want('history-deep')) pg = await pgPageTarget(stack.db.url, { code: room.code, lo, hi, callers: s.httpConnections }, watch);
          const targets: Record<string, HttpTarget> = pg ? { deep: `${url}${query}`, pgPage: pg.target } : {};
          if (replica) targets.replica = `${replica.server.url}${query}`;
          // Without the history section, the bare route the deep ratios divide by takes its turns here.
          if (!want('history')) targets.bare = `${stack.bareRoute.url}/api/chats/${room.code}/messages?limit=50`;
          const figures = await profiled('history deep page', () => withAutocannon((worker) => measureHttp(worker, targets, s, meter)));
          const deep = figures.deep;
          if (deep) {
            c.historyDeep = { ...deep, source: await sourceOf(deep.url) };
            if (c.historyDeep.source !== 'db') c.notes.push(`history deep page came from "${c.historyDeep.source}", not the database`);
          }
          if (figures.pgPage) c.deepPagePg = figures.pgPage;
          if (figures.bare) c.bareRoute = figures.bare;
          const onReplica = figures.replica;
          if (replica && onReplica) {
            const reads = await replicaReads(replica.server.url);
            const source = (await new ApiClient(replica.server.url).get(query)).body?.source;
            c.historyDeepReplica = { ...onReplica, source, replica_reads: reads };
            if (!reads.served || reads.lagging || reads.failed)
              c.notes.push(
                `deep pages with a read replica: the standby served ${reads.served}, ${reads.lagging + reads.failed} went to the primary`,
              );
          }
        } finally {
          await pg?.close();
          await replica?.stop();
        }
      },
      deepWanted,
    );

    await section('send', async () => {
      const counters = new ServerCounters(stack.db.url, stack.redis.port);
      const before = await counters.snapshot();
      const targets = await rooms();
      const measured = await profiled('send', () =>
        measureSend(
          { name: 'chatpop', url, rooms: targets, gc: stack.serverGc, sendBuckets: () => readSendBuckets(url) },
          { name: 'bare', url: stack.bareEmit.url, rooms: targets },
          s,
          meter,
          watch,
        ),
      );
      c.sendCost = ServerCounters.cost(before, await counters.snapshot());
      c.send = measured.send;
      c.bareEmit = measured.bare;
    });

    // Issue 24: the send path as on a database distributed by chat (one statement per chat in the
    // group commit, not one spanning chats), on this same PostgreSQL, against the same bare peer.
    await section('send-per-chat', async () => {
      let perChat: PerChat | null = null;
      try {
        const t = performance.now();
        perChat = await stack.startPerChat();
        log(`send-per-chat: database and second server ready in ${((performance.now() - t) / 1000).toFixed(1)} s`);
        const perChatUrl = perChat.server.url;
        const targets = await (await Fixtures.create(perChatUrl)).rooms(s.rooms, s.socketsPerRoom);
        const measured = await measureSend(
          {
            name: 'chatpop-per-chat',
            url: perChatUrl,
            rooms: targets,
            gc: perChat.serverGc,
            sendBuckets: () => readSendBuckets(perChatUrl),
          },
          { name: 'bare', url: stack.bareEmit.url, rooms: targets },
          s,
          meter,
          watch,
        );
        c.sendPerChat = measured.send;
        c.bareEmitPerChat = measured.bare;
      } finally {
        await perChat?.stop();
      }
    });

    await section('recovery', async () => {
      c.recovery = await measureRecovery(url, await fx.room(2, 'r'), s.recoveryMissed, s.repeats, watch);
    });

    await section('monitoring', async () => {
      // Its own in-process measurement on this run's PostgreSQL and Redis (see bench/scenarios/monitoring-cost.ts).
      c.monitoring = await measureMonitoringCost({
        settings: s,
        serverEnv: stack.serverEnv,
        watch: (w) =>
          watch({
            ...w,
            what: 'node dist/bench/scenarios/monitoring-cost.js: monitoring on vs off, services in-process (its own measurement)',
          }),
      });
    });
    await section('scale', async () => {
      // Rooms of their own: scaleRoomSize sockets each, as tabs of a few participants.
      const rooms = await fx.rooms(Math.max(1, Math.round(s.scaleSockets / s.scaleRoomSize)), s.scaleParticipants);
      c.scale = await measureScale('chatpop', stack.server, rooms, s, watch);
      c.bareScale = await measureScale('bare', stack.bareEmit, rooms, s, watch);
    });
  } finally {
    // Before the stop: the servers' process trees are what it leaves out.
    c.machine = machine.stop([process.pid, ...stack.watched().map((w) => w.pid)]);
    log('stopping servers');
    await stack.stop();
  }

  c.processes = stack.processes();
  const results = buildResults(c, s, startedAt);
  fs.mkdirSync(path.dirname(s.resultsPath), { recursive: true });
  fs.writeFileSync(s.resultsPath, JSON.stringify(results, null, 2) + '\n');
  if (c.send) fs.writeFileSync(s.chartPath, chart(c));
  process.stdout.write(formatTable(results, c) + '\n');
  log(`wrote ${path.relative(process.cwd(), s.resultsPath)}${c.send ? ` and ${path.relative(process.cwd(), s.chartPath)}` : ''}`);
  return Object.keys(c.errors).length ? 1 : 0;
}

function chart(c: Collected): string {
  const send = c.send!;
  const bare = c.bareEmit;
  type Step = (typeof send.load)[number];
  // The open-loop steps and the half-peak runs' median run, by offered rate.
  const steps = (load: Step[], half: Step[]) =>
    [...load, ...(half.length ? [medianRun(half)] : [])].sort((a, b) => (a.offered_per_s ?? 0) - (b.offered_per_s ?? 0));
  const pts = (list: Step[], pick: (st: Step) => number) => list.map((st) => ({ x: st.offered_per_s ?? 0, y: pick(st) }));
  const mine = steps(send.load, send.half_peak_runs);
  const theirs = steps(bare?.load ?? [], bare?.half_peak_runs ?? []);
  const bareP99 = bare?.half_peak.ack_p99_ms;
  return renderChart({
    title: 'ChatPop send→ack latency against load',
    subtitle: `${send.rooms} rooms × ${send.sockets / send.rooms} sockets; open-loop steps; peak ${send.peak.sends_per_s} sends/s (bare socket.io: ${bare?.peak.sends_per_s ?? '—'})`,
    xLabel: 'offered sends/s',
    yLabel: 'send→ack latency, ms (log scale)',
    series: [
      { name: 'ChatPop p50', color: '#1f77b4', points: pts(mine, (st) => st.ack_ms.p50) },
      { name: 'ChatPop p95', color: '#ff7f0e', points: pts(mine, (st) => st.ack_ms.p95) },
      { name: 'ChatPop p99', color: '#d62728', points: pts(mine, (st) => st.ack_ms.p99) },
      { name: 'ChatPop p99 at ½ peak', color: '#9467bd', points: [{ x: send.half_peak.offered_per_s, y: send.half_peak.ack_p99_ms }] },
      { name: 'bare socket.io p50', color: '#7f7f7f', points: pts(theirs, (st) => st.ack_ms.p50), dashed: true },
      { name: 'bare socket.io p99', color: '#2ca02c', points: pts(theirs, (st) => st.ack_ms.p99), dashed: true },
    ],
    // The goal is a ratio: ChatPop's p99 at half peak at most twice bare socket.io's at that rate.
    rules:
      bareP99 && Number.isFinite(bareP99)
        ? [{ y: 2 * bareP99, label: "goal: p99 ≤ 2 × bare socket.io's at ½ peak", color: '#d62728' }]
        : [],
    vrules: [{ x: send.peak.sends_per_s, label: 'ChatPop peak (closed loop)', color: '#555' }],
  });
}

// Ctrl-C: exit through 'exit' handlers, which stop every server and remove their temp dirs.
process.once('SIGINT', () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`[bench] failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
