// Load generators run as child processes (node dist/bench/load-*.js), never inside the server's
// process or the orchestrator's. Protocol: one JSON command per line on the child's stdin, one JSON
// reply per line on its stdout; anything else the child prints is kept for error messages.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Worker {
  readonly name: string;
  readonly pid: number;
  /** Sends one command and resolves with the child's reply to it; rejects on `{error}` or exit. */
  call<T = unknown>(cmd: string, args?: object): Promise<T>;
  /** Asks the child to exit and waits for it. */
  close(): Promise<void>;
}

/** Starts `dist/bench/<script>.js` as a child process speaking the JSON-lines protocol. */
export function startWorker(script: string, name = script): Worker {
  const child = spawn(process.execPath, [path.join(__dirname, `${script}.js`)], { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  const log: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (s: string) => log.push(s));
  let pending: { resolve: (v: unknown) => void; reject: (e: Error) => void } | null = null;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      exited = true;
      live.delete(child);
      pending?.reject(new Error(`${name} exited (code ${code}, signal ${signal}):\n${log.join('').slice(-3000)}`));
      pending = null;
      resolve();
    }),
  );
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let msg: { ok?: boolean; result?: unknown; error?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      log.push(line + '\n');
      return;
    }
    const p = pending;
    pending = null;
    if (!p) return;
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${name}: ${msg.error}`));
  });

  return {
    name,
    pid: child.pid as number,
    call<T>(cmd: string, args: object = {}): Promise<T> {
      if (exited) return Promise.reject(new Error(`${name} is not running:\n${log.join('').slice(-3000)}`));
      if (pending) return Promise.reject(new Error(`${name} is busy: one command at a time`));
      return new Promise<T>((resolve, reject) => {
        pending = { resolve: resolve as (v: unknown) => void, reject };
        child.stdin.write(JSON.stringify({ cmd, args }) + '\n');
      });
    },
    async close(): Promise<void> {
      if (!exited) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
    },
  };
}

/** Runs one command on several workers at once and collects their replies in order. */
export function callAll<T>(workers: Worker[], cmd: string, args: (i: number) => object): Promise<T[]> {
  return Promise.all(workers.map((w, i) => w.call<T>(cmd, args(i))));
}
