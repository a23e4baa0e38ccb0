// Runs the built jobs (dist/jobs/*.js) as child processes, as `kubectl exec` would, with an
// environment that holds only what the test gives (never the developer's REDIS_URL or DATABASE_URL).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export type JobName = 'inspect' | 'clear-cache' | 'migrate';

export interface JobResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export const JOBS_DIR = path.resolve(__dirname, '..', '..', 'jobs');
const live = new Set<ChildProcess>();

export function jobEnv(env: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...env,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** A running job: its output so far, a way to wait for a line, and its exit. */
export interface RunningJob {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<JobResult>;
  /** Resolves with the first match of `pattern` in stdout (searched from `from`); rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
}

/** `cwd`: where the job runs (the repo by default); on PATH in the image, it runs from anywhere. */
export function startJob(job: JobName, args: string[], env: Record<string, string | undefined>, cwd?: string): RunningJob {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(JOBS_DIR, `${job}.js`), ...args], {
    env: jobEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd,
  });
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<JobResult>((resolve) =>
    child.once('close', (code, signal) => {
      live.delete(child);
      resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - started });
    }),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor: (pattern, timeoutMs = 10_000, from = 0) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = out.slice(from).match(pattern);
          if (m) finish(() => resolve(m));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${job} did not print ${pattern} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          settle();
        };
        child.stdout!.on('data', check);
        void exited.then(() =>
          finish(() => reject(new Error(`${job} exited before printing ${pattern}; stdout:\n${out}\nstderr:\n${err}`))),
        );
        check();
      }),
  };
}

/** Runs a job to its end (killed after `timeoutMs`). */
export async function runJob(
  job: JobName,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
  cwd?: string,
): Promise<JobResult> {
  const running = startJob(job, args, env, cwd);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** util-linux `script`, which runs a command on a pseudo-terminal; null where it is missing. */
export const SCRIPT_BINARY = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p)) ?? null;

/**
 * Runs a job on a pseudo-terminal (through `script`) and types `typed` into it, as an operator
 * at `kubectl exec -it` would. Output is the terminal's: stdout and stderr mixed, with colour.
 */
export async function runOnTerminal(
  job: JobName,
  args: string[],
  env: Record<string, string | undefined>,
  typed: string,
  timeoutMs = 20_000,
): Promise<JobResult> {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, path.join(JOBS_DIR, `${job}.js`), ...args].map(quote).join(' ');
  const started = Date.now();
  const child = spawn(SCRIPT_BINARY!, ['-qec', command, '/dev/null'], {
    env: { ...jobEnv(env), SHELL: '/bin/sh' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stdin!.end(typed);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout: out, stderr: '', ms: Date.now() - started });
    }),
  );
}

/** Parses the job's stdout as exactly one JSON document. */
export function jsonOf<T = any>(r: JobResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
}

/** Removes ANSI colour codes. */
export const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Every job still running (a failed test's) is killed at exit. */
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});
