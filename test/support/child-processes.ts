// Every process and temp dir the harness creates is tracked here, so a crashed test (or a
// mocha run that is interrupted) never leaves a redis-server, postgres or server.js behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TrackedChild {
  readonly name: string;
  readonly child: ChildProcess;
  /** Settles once the process has exited and its output pipes are closed. */
  readonly exited: Promise<Exit>;
  /** True once `exited` has settled. */
  hasExited(): boolean;
  /** Everything written to stdout and stderr so far, interleaved. */
  output(): string;
}

export interface SpawnTrackedOptions extends Pick<SpawnOptions, 'cwd' | 'env' | 'uid' | 'gid'> {
  /** Signal `cleanupAll()` stops it with. @default 'SIGTERM' */
  stopSignal?: NodeJS.Signals;
  /** Signal sent if the process is still alive when we exit. @default 'SIGKILL' */
  exitSignal?: NodeJS.Signals;
}

const live = new Set<TrackedChild & { stopSignal: NodeJS.Signals; exitSignal: NodeJS.Signals }>();
const tempDirs = new Set<string>();

/** Spawns a process whose output is captured and which is killed when this process exits. */
export function spawnTracked(name: string, command: string, args: string[], opts: SpawnTrackedOptions = {}): TrackedChild {
  const { stopSignal = 'SIGTERM', exitSignal = 'SIGKILL', ...spawnOpts } = opts;
  const child = spawn(command, args, { ...spawnOpts, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  // Always read the pipes: a child blocked on a full pipe looks exactly like a hung server.
  child.stdout?.setEncoding('utf8').on('data', (s: string) => chunks.push(s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => chunks.push(s));
  let done = false;
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (err) => {
      chunks.push(`\n[spawn error] ${err.message}\n`);
      // 'close' does not always follow a failed spawn.
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).then((exit) => {
    done = true;
    live.delete(tracked);
    return exit;
  });
  const tracked = {
    name,
    child,
    exited,
    stopSignal,
    exitSignal,
    hasExited: () => done,
    output: () => chunks.join(''),
  };
  live.add(tracked);
  return tracked;
}

/** The last `chars` characters of a child's output, for error messages. */
export function outputTail(t: TrackedChild, chars = 4000): string {
  const out = t.output();
  return out.length > chars ? '…' + out.slice(-chars) : out;
}

/**
 * Resolves with the first match of `pattern` in the child's output; rejects with the output tail
 * if the child exits first or nothing matches within `timeoutMs`.
 */
export function waitForOutput(t: TrackedChild, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = t.output().match(pattern);
      if (m) finish(() => resolve(m));
      return m !== null;
    };
    const fail = (why: string) => finish(() => reject(new Error(`${t.name} ${why}; output:\n${outputTail(t)}`)));
    const timer = setTimeout(() => fail(`did not print ${pattern} within ${timeoutMs} ms`), timeoutMs);
    const onData = () => void check();
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      t.child.stdout?.off('data', onData);
      t.child.stderr?.off('data', onData);
      settle();
    };
    if (check()) return;
    t.child.stdout?.on('data', onData);
    t.child.stderr?.on('data', onData);
    void t.exited.then((exit) => {
      if (!check()) fail(`exited (code ${exit.code}, signal ${exit.signal}) before printing ${pattern}`);
    });
  });
}

/** Sends `signal` and waits for the exit; SIGKILLs after `killAfterMs` if it does not go. */
export async function stopChild(t: TrackedChild, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<Exit> {
  if (t.hasExited()) return t.exited;
  // A SIGSTOPped process would keep a SIGTERM pending forever.
  if (signal !== 'SIGKILL') t.child.kill('SIGCONT');
  t.child.kill(signal);
  const timer = setTimeout(() => t.child.kill('SIGKILL'), killAfterMs);
  try {
    return await t.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh directory under the OS temp dir, removed by `cleanupAll()` or at exit. */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  tempDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Stops every tracked child that is still running and removes every temp dir. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...live].map((t) => stopChild(t, t.stopSignal, 5_000)));
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/** The first of `candidates` that exists, else `name` (left to PATH). */
export function findBinary(name: string, candidates: string[]): string {
  return candidates.find((c) => fs.existsSync(c)) ?? name;
}

// Last resort: we are exiting (mocha's --exit, a crash, or a signal), so nothing async runs.
function killEverythingNow(): void {
  for (const t of live) {
    if (t.child.pid === undefined) continue;
    try {
      t.child.kill('SIGCONT');
      t.child.kill(t.exitSignal);
    } catch {
      // already gone
    }
  }
  for (const dir of tempDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a dying child may still be writing; the OS temp cleaner will get it
    }
  }
}

process.on('exit', killEverythingNow);
// A signal skips 'exit' handlers: clean up, then die of the same signal as we would have.
for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killEverythingNow();
    process.kill(process.pid, signal);
  });
}
