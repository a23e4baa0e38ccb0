// Idle memory per connected socket: how much a server's memory grows when N sockets connect and join
// a chat, divided by N. Both readings come after a forced garbage collection (server-probe.ts), so
// they compare live memory; RSS is the headline, heap + external the steadier second figure.
// One run (a second would reuse the heap the first grew), after a small warm-up connect so lazily
// loaded code is not counted.
import type { Watched } from '../harness/cpu';
import type { Room } from '../harness/fixtures';
import { startWorker } from '../load/workers';

export interface MemoryFigure {
  sockets: number;
  rss_before_mb: number;
  rss_after_mb: number;
  kb_per_socket: number;
  heap_kb_per_socket: number;
  /**
   * How much V8's young generation (new space) grew, per socket: empty after the GC, but in RSS. It
   * grows in steps (doubling, up to --max-semi-space-size) while surviving objects are made, so a
   * run where it steps up reads tens of KB more RSS per socket than one where it had grown already.
   */
  young_kb_per_socket: number;
}

/** A server started with PROBE_NODE_ARGS. */
export interface ProbedServer {
  url: string;
  pid: number;
  output(): string;
}

interface MemoryReading {
  rss: number;
  heap_used: number;
  external: number;
  young: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Signals the probe and waits for its next line. */
export async function probe(server: ProbedServer): Promise<MemoryReading> {
  const count = () => (server.output().match(/^bench-memory \d+ /gm) ?? []).length;
  const before = count();
  process.kill(server.pid, 'SIGUSR2');
  for (let waited = 0; count() === before; waited += 10) {
    if (waited > 10_000) throw new Error(`no bench-memory line from pid ${server.pid}: was it started with PROBE_NODE_ARGS?`);
    await sleep(10);
  }
  const lines = server.output().match(/^bench-memory \d+ (.*)$/gm)!;
  return JSON.parse(lines[lines.length - 1]!.replace(/^bench-memory \d+ /, ''));
}

/** Sockets are spread over `rooms`, reusing their tokens (several tabs of one participant). */
export async function measureIdleMemory(
  name: string,
  server: ProbedServer,
  rooms: Room[],
  sockets: number,
  settleMs: number,
  watch: (w: Watched) => () => void,
): Promise<MemoryFigure> {
  const worker = startWorker('load-socket', 'load-socket (idle)');
  const unwatch = watch({
    role: `load: idle sockets → ${name}`,
    pid: worker.pid,
    what: 'node dist/bench/load/load-socket.js: idle sockets (memory)',
  });
  const spread = (n: number) =>
    rooms.map((r, i) => ({
      code: r.code,
      tokens: Array.from(
        { length: Math.floor(n / rooms.length) + (i < n % rooms.length ? 1 : 0) },
        (_, k) => r.tokens[k % r.tokens.length] as string,
      ),
    }));
  try {
    await worker.call('connect', { url: server.url, rooms: spread(Math.min(20, sockets)) });
    await worker.call('disconnect');
    await sleep(settleMs);
    const before = await probe(server);
    await worker.call('connect', { url: server.url, rooms: spread(sockets) });
    await sleep(settleMs);
    const after = await probe(server);
    await worker.call('disconnect');
    const perSocketKb = (bytes: number) => Math.round((bytes / sockets / 1024) * 10) / 10;
    return {
      sockets,
      rss_before_mb: Math.round(before.rss / 2 ** 20),
      rss_after_mb: Math.round(after.rss / 2 ** 20),
      kb_per_socket: perSocketKb(after.rss - before.rss),
      heap_kb_per_socket: perSocketKb(after.heap_used + after.external - before.heap_used - before.external),
      young_kb_per_socket: perSocketKb(after.young - before.young),
    };
  } finally {
    await worker.close();
    unwatch();
  }
}
