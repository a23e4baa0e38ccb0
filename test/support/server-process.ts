// The built server (dist/src/server.js) as a real child process, for tests of startup, shutdown,
// several pods and the jobs: everything a test cannot see from inside one process.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { spawnTracked, stopChild, waitForOutput, type Exit } from './child-processes';

// Settings the caller must choose on purpose, never inherit from the developer's shell.
const NOT_INHERITED = /^(REDIS_|DATABASE_|ADMIN_|SESSION_)/;
const READY_LINE = /listening on (http:\/\/[^\s"]+)/;

export interface StartServerOptions {
  /** Script to run, absolute or relative to the repo root. @default 'dist/src/server.js' */
  script?: string;
  /** Extra node flags, e.g. `['--inspect']`. @default [] */
  nodeArgs?: string[];
  /** The node binary. @default process.execPath (this process's Node) */
  node?: string;
  /** How long the server may take to print its ready line. @default 20000 */
  readyTimeoutMs?: number;
}

export interface ServerProcess {
  /** `http://127.0.0.1:PORT`, as the server printed it. */
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends `signal` (SIGKILL after 10 s) and resolves with how the process exited. @default 'SIGTERM' */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns `node dist/src/server.js` with the parent's environment minus REDIS_*, DATABASE_*,
 * ADMIN_* and SESSION_*, then PORT=0, HOST=127.0.0.1, NODE_ENV=test, then `env` (which wins).
 * Resolves once it logs `listening on http://…`; rejects with its output if it exits or times out first.
 */
export async function startServerProcess(env: Record<string, string>, opts: StartServerOptions = {}): Promise<ServerProcess> {
  const root = repoRoot();
  const script = path.resolve(root, opts.script ?? 'dist/src/server.js');
  const inherited = Object.entries(process.env).filter(([key]) => !NOT_INHERITED.test(key));
  const childEnv = { ...Object.fromEntries(inherited), PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', ...env };

  const proc = spawnTracked(`server ${path.relative(root, script)}`, opts.node ?? process.execPath, [...(opts.nodeArgs ?? []), script], {
    cwd: root,
    env: childEnv,
  });
  let url: string;
  try {
    url = (await waitForOutput(proc, READY_LINE, opts.readyTimeoutMs ?? 20_000))[1] as string;
  } catch (err) {
    await stopChild(proc, 'SIGKILL');
    throw err;
  }

  return {
    url,
    port: Number(new URL(url).port),
    pid: proc.child.pid as number,
    child: proc.child,
    output: proc.output,
    stop: (signal = 'SIGTERM') => stopChild(proc, signal),
    kill: async () => void (await stopChild(proc, 'SIGKILL')),
  };
}

/** The nearest folder above this file with a package.json: the repo root, from src or dist. */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}
