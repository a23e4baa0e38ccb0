// Throwaway redis-server processes on loopback: nothing is saved, and each one lives in its own
// temp dir, so tests never see (or touch) the machine's Redis on 6379.
import Redis from 'ioredis';
import { findBinary, makeTempDir, removeTempDir, spawnTracked, stopChild, waitForOutput, type TrackedChild } from './child-processes';
import { freePort } from './free-port';

const REDIS_SERVER = findBinary('redis-server', ['/usr/bin/redis-server', '/usr/local/bin/redis-server']);
const READY_TIMEOUT_MS = 10_000;

export interface StartRedisOptions {
  /** Sets `requirepass`; the handle's url carries it. @default no password */
  password?: string;
  /** Port to listen on. @default a free port */
  port?: number;
  /** Extra redis-server arguments, e.g. cluster settings. @default [] */
  args?: string[];
}

export interface RedisHandle {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:port` */
  readonly url: string;
  /** The server's working dir (`--dir`). */
  readonly dir: string;
  /** Pid of the current process; changes on restart(). */
  readonly pid: number | undefined;
  /** Graceful shutdown (SIGTERM); resolves once the process is gone. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts again on the same port with empty data (nothing is ever saved). */
  restart(): Promise<void>;
  /** SIGSTOP: the port stays open but nothing answers, like a hung server. */
  pause(): Promise<void>;
  /** SIGCONT after pause(). */
  resume(): Promise<void>;
  /** The server's log so far (current process only). */
  output(): string;
}

/** Starts a throwaway redis-server and waits until it answers PING. */
export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisHandle> {
  const dir = makeTempDir('chatpop-redis-');
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return new RedisServer(port, dir, opts, await launch(port, dir, opts));
    } catch (err) {
      // Another process on the machine may have bound the port between our check and redis.
      const portTaken = /Address already in use/.test(String(err));
      if (opts.port !== undefined || !portTaken || attempt >= 3) {
        removeTempDir(dir);
        throw err;
      }
    }
  }
}

export interface RedisCommandOptions {
  password?: string;
  /** @default '127.0.0.1' */
  host?: string;
}

/** Runs one command on a fresh connection with no retries (readiness checks, test assertions). */
export async function redisCommand(port: number, args: string[], opts: RedisCommandOptions = {}): Promise<unknown> {
  const client = new Redis({
    host: opts.host ?? '127.0.0.1',
    port,
    password: opts.password,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // failures surface through the promises below
  try {
    await client.connect();
    const [command, ...rest] = args;
    return await client.call(command ?? 'PING', ...rest);
  } finally {
    client.disconnect();
  }
}

async function launch(port: number, dir: string, opts: StartRedisOptions): Promise<TrackedChild> {
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...(opts.password ? ['--requirepass', opts.password] : []),
    ...(opts.args ?? []),
  ];
  const proc = spawnTracked(`redis-server :${port}`, REDIS_SERVER, args);
  try {
    await waitForOutput(proc, /Ready to accept connections/, READY_TIMEOUT_MS);
    await redisCommand(port, ['PING'], { password: opts.password });
  } catch (err) {
    await stopChild(proc, 'SIGKILL');
    throw err;
  }
  return proc;
}

class RedisServer implements RedisHandle {
  readonly url: string;

  constructor(
    readonly port: number,
    readonly dir: string,
    private readonly opts: StartRedisOptions,
    private proc: TrackedChild,
  ) {
    const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
    this.url = `redis://${auth}127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.proc.child.pid;
  }

  async stop(): Promise<void> {
    await stopChild(this.proc, 'SIGTERM');
  }

  async kill(): Promise<void> {
    await stopChild(this.proc, 'SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    this.proc = await launch(this.port, this.dir, this.opts);
  }

  async pause(): Promise<void> {
    this.proc.child.kill('SIGSTOP');
  }

  async resume(): Promise<void> {
    this.proc.child.kill('SIGCONT');
  }

  output(): string {
    return this.proc.output();
  }
}
