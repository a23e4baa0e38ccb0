// Scale: many idle sockets on one server process (10,000 at quick and full size), held by a few load
// processes (whole rooms each, BENCH_SCALE_WORKERS): how long they take to connect and join, the
// server's memory with them after a forced GC, and the send→deliver time of broadcasts to one room
// of 1,000 of them, one message at a time, while the rest sit idle. Run for ChatPop and for bare
// socket.io at the same size, one after the other (each holds every socket for about a minute).
import type { Watched } from '../harness/cpu';
import type { Room } from '../harness/fixtures';
import type { BenchSettings } from '../harness/settings';
import type { BroadcastResult } from '../load/load-socket';
import { callAll, startWorker, type Worker } from '../load/workers';
import { probe, type ProbedServer } from './memory-bench';

export interface ScaleFigure {
  sockets: number;
  workers: number;
  /** wall seconds from the first connect to the last join's ack */
  connect_s: number;
  rss_before_mb: number;
  rss_after_mb: number;
  kb_per_socket: number;
  heap_kb_per_socket: number;
  broadcast: BroadcastResult;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The scale section's rooms, `roomSize` sockets each over `rooms[i].tokens` (tabs of a few
 * participants): presence news goes out per participant, so this is idle sockets, not a crowd.
 */
export function scaleRooms(rooms: Room[], roomSize: number): { code: string; tokens: string[] }[] {
  return rooms.map((r) => ({ code: r.code, tokens: Array.from({ length: roomSize }, (_, k) => r.tokens[k % r.tokens.length] as string) }));
}

export async function measureScale(
  name: string,
  server: ProbedServer,
  rooms: Room[],
  s: BenchSettings,
  watch: (w: Watched) => () => void,
): Promise<ScaleFigure> {
  const spread = scaleRooms(rooms, s.scaleRoomSize);
  const n = Math.min(s.scaleWorkers, spread.length);
  const workers: Worker[] = [];
  const unwatch: (() => void)[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const w = startWorker('load-socket', `load-socket (scale) #${i + 1}`);
      workers.push(w);
      unwatch.push(
        watch({
          role: `load: scale sockets → ${name} #${i + 1}`,
          pid: w.pid,
          what: 'node dist/bench/load/load-socket.js: idle sockets and one room of broadcasts (scale)',
        }),
      );
    }
    const before = await probe(server);
    const t = performance.now();
    await callAll(workers, 'connect', (i) => ({ url: server.url, rooms: spread.filter((_, r) => r % n === i) }));
    const connectS = (performance.now() - t) / 1000;
    await sleep(s.settleMs * 2);
    const after = await probe(server);
    // Room 0 is worker 0's: the sender and every receiver are in one process, on one clock.
    // Two untimed broadcasts first: the first messages of a room also warm the server's paths for it.
    const broadcast = await workers[0]!.call<BroadcastResult>('broadcast', { code: spread[0]!.code, count: s.scaleBroadcasts, warmUp: 2 });
    await callAll(workers, 'disconnect', () => ({}));
    const sockets = spread.length * s.scaleRoomSize;
    const perSocketKb = (bytes: number) => Math.round((bytes / sockets / 1024) * 10) / 10;
    return {
      sockets,
      workers: n,
      connect_s: Math.round(connectS * 100) / 100,
      rss_before_mb: Math.round(before.rss / 2 ** 20),
      rss_after_mb: Math.round(after.rss / 2 ** 20),
      kb_per_socket: perSocketKb(after.rss - before.rss),
      heap_kb_per_socket: perSocketKb(after.heap_used + after.external - before.heap_used - before.external),
      broadcast,
    };
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    unwatch.forEach((u) => u());
  }
}
