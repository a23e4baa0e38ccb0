import net from 'node:net';

// Below Linux's ephemeral range (32768+), so outgoing connections never take a port we handed
// out before its server has bound it.
const LOW = 20_000;
const HIGH = 30_000;
const handedOut = new Set<number>();

/** Whether 127.0.0.1:port can be listened on right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface FreePortOptions {
  /** Offsets that must be free too, e.g. `[10000]` for a Redis Cluster bus port. @default [] */
  alsoFree?: number[];
}

/**
 * A free loopback TCP port. Never the same port twice in one process, so servers started in
 * parallel cannot be handed the same port before either has bound it.
 */
export async function freePort(opts: FreePortOptions = {}): Promise<number> {
  const offsets = opts.alsoFree ?? [];
  for (let attempt = 0; attempt < 500; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    const ports = [port, ...offsets.map((o) => port + o)];
    if (ports.some((p) => handedOut.has(p))) continue;
    const free = await Promise.all(ports.map(isPortFree));
    if (!free.every(Boolean)) continue;
    for (const p of ports) handedOut.add(p);
    return port;
  }
  throw new Error(`no free loopback port between ${LOW} and ${HIGH}`);
}
