// The child side of workers.ts: reads JSON commands from stdin, answers each on stdout, exits when
// stdin closes. Handlers may keep state (connected sockets) between commands.
import readline from 'node:readline';

export type Handlers = Record<string, (args: any) => Promise<unknown> | unknown>;

/** Serves `handlers` until stdin ends, then runs `onClose` and exits. */
export function serveCommands(handlers: Handlers, onClose: () => Promise<void> | void = () => undefined): void {
  const reply = (msg: object) => process.stdout.write(JSON.stringify(msg) + '\n');
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    queue = queue.then(async () => {
      try {
        const { cmd, args } = JSON.parse(line) as { cmd: string; args: unknown };
        const handler = handlers[cmd];
        if (!handler) throw new Error(`unknown command ${cmd}`);
        reply({ ok: true, result: (await handler(args)) ?? null });
      } catch (err) {
        reply({ ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      }
    });
  });
  rl.on('close', () => {
    void queue
      .then(() => onClose())
      .catch(() => undefined)
      .finally(() => process.exit(0));
  });
}

/** This process's own CPU use since `since` (from process.cpuUsage), in % of one core over `wallMs`. */
export function cpuPercent(since: NodeJS.CpuUsage, wallMs: number): number {
  const used = process.cpuUsage(since);
  return Math.round(((used.user + used.system) / 1000 / wallMs) * 1000) / 10;
}
