// Everything the bench measures against, started fresh for each run: a throwaway Redis and
// PostgreSQL cluster of its own (test/support, so never the machine's own; its own so that a streaming
// standby of it can be started for the read-replica section), the ChatPop server as a separate
// process, and the two bare ceiling servers. Imported from the support files directly: the support index
// also loads the whole app, which the orchestrator process has no use for.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { parentPid, type Watched } from './cpu';
import { ServerGcLog } from './server-gc';
import { PROBE_NODE_ARGS } from './server-probe';
import { repoRoot } from './settings';
import { cleanupAll, makeTempDir, removeTempDir } from '../../test/support/child-processes';
import { FAKE_CITUS_SQL } from '../../test/support/fake-citus';
import { nodeFlagsHere, type NodeFlags } from '../../test/support/node-flags';
import { queryDatabase, startOwnPostgres, type OwnPostgres } from '../../test/support/postgres';
import { startRedis, type RedisHandle } from '../../test/support/redis-server';
import { startServerProcess, type ServerProcess } from '../../test/support/server-process';

export const BENCH_SECRET = 'bench-session-secret-0123456789abcdef';
const BENCH_ADMIN_TOKEN = 'bench-admin-token-0123456789';

export interface BenchStack {
  redis: RedisHandle;
  /** The run's PostgreSQL cluster (`db.url`, its `postgres` database, is the server's DATABASE_URL). */
  db: OwnPostgres;
  /** The ChatPop server: NODE_ENV=production, PostgreSQL + Redis, monitoring off at start. */
  server: ServerProcess;
  /** The environment the server was started with (monitoring-cost may start more servers like it). */
  serverEnv: Record<string, string>;
  /** The ChatPop server's garbage collection pauses, as its probe logged them. */
  serverGc: ServerGcLog;
  bareEmit: ServerProcess;
  bareRoute: ServerProcess;
  /** Processes whose CPU the report shows, by role: the servers, and the load processes running now. */
  watched(): Watched[];
  /** Load generator processes register here while they run; returns the unregister function. */
  addWatched(w: Watched): () => void;
  /** Every process of the run so far, load processes that have finished included. */
  processes(): Required<Omit<Watched, 'tree'>>[];
  /**
   * A streaming standby of the run's PostgreSQL (caught up) and a second ChatPop server like the
   * first that reads history pages the cache cannot serve from it (DATABASE_READ_URLS); both are
   * watched until `stop`.
   */
  startReplica(): Promise<Replica>;
  /**
   * A second ChatPop server like the first on a database of its own in the same cluster, with the
   * test suite's Citus stand-ins (test/support/fake-citus.ts) installed before its migrations run:
   * it takes the database for one distributed by chat, so its group commit sends one statement per
   * chat (issue 24). Its own Redis database too (chat ids restart in the new database). Watched until `stop`.
   */
  startPerChat(): Promise<PerChat>;
  stop(): Promise<void>;
}

/**
 * The node flags of the image's server command (Dockerfile CMD), so the bench runs the server as
 * production does: those this machine's Node accepts (`accepted`), and those only the image's newer
 * Node knows (`refused`), which the report names.
 */
export function imageNodeFlags(root: string, node = process.execPath): NodeFlags {
  const cmd = /^CMD (\[.*\])\s*$/m.exec(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  const argv = cmd ? (JSON.parse(cmd[1]) as string[]) : [];
  return nodeFlagsHere(argv[0] === 'node' ? argv.slice(1).filter((a) => a.startsWith('--')) : [], node);
}

/** The image's Node major version: the Dockerfile's default NODE_IMAGE, `node:24-bookworm-slim` → 24. */
export function imageNodeMajor(root: string): number | null {
  const arg = /^ARG NODE_IMAGE=node:(\d+)/m.exec(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
  return arg ? Number(arg[1]) : null;
}

/**
 * Which Node ran the server, whether the image has another (a major version apart, the runtime's
 * costs differ: Node 20 pays promise hooks for AsyncLocalStorage, Node 24 does not), and ", without
 * --x, which it refuses" when the image's command has flags only a newer Node knows.
 */
function serverNodeNote(node: string | undefined, flags: NodeFlags, imageMajor: number | null): string {
  const version = node ? spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim() : process.version;
  const major = Number(/^v(\d+)/.exec(version)?.[1]);
  let note = `, on Node ${version}${node ? ' from BENCH_SERVER_NODE' : ''}`;
  if (imageMajor !== null && major !== imageMajor) note += ` where the image has Node ${imageMajor}`;
  if (flags.refused.length) note += `, without ${flags.refused.join(' ')}, which Node ${version} refuses`;
  return note;
}

export interface Replica {
  server: ServerProcess;
  standbyUrl: string;
  stop(): Promise<void>;
}

export interface PerChat {
  server: ServerProcess;
  /** its garbage collection pauses, as the first server's (the same probe, so both pay the same) */
  serverGc: ServerGcLog;
  databaseUrl: string;
  stop(): Promise<void>;
}

/** The line the server logs at start when it found the database distributed by chat (src/app.ts). */
const PER_CHAT_LOG = 'the database is distributed by chat';

export interface StackOptions {
  /** Extra server environment, e.g. a smaller MESSAGE_CACHE_MAX_COUNT for the smoke test. */
  serverEnv?: Record<string, string>;
  /** The ChatPop server's node binary. @default this process's */
  serverNode?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<BenchStack> {
  const gcDir = makeTempDir('chatpop-bench-gc-');
  const serverGc = new ServerGcLog(path.join(gcDir, 'server-gc.jsonl'));
  let owned: OwnPostgres | undefined;
  try {
    const [redis, db] = await Promise.all([startRedis(), startOwnPostgres()]);
    owned = db;
    const serverEnv = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      NODE_ENV: 'production',
      SESSION_SECRET: BENCH_SECRET,
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      // Production leaves migrations to the migrate job; this database is brand new.
      MIGRATE_ON_START: 'true',
      // info, not warn: the ready line (`listening on …`) is an info line; ChatPop logs nothing per request.
      LOG_LEVEL: 'info',
      ENABLE_MONITORING: 'false',
      // Every bench socket is its own participant, but the loads are far above a human's rate.
      SEND_RATE_LIMIT: '100000',
      // Thousands of participants join from this one address; the idle-memory step opens many
      // sockets per participant (tabs).
      JOIN_RATE_LIMIT: '1000000',
      JOIN_RATE_LIMIT_PER_CHAT: '1000000',
      SOCKETS_PER_SESSION: '10000',
      ...opts.serverEnv,
    };
    const flags = imageNodeFlags(repoRoot(), opts.serverNode);
    const [server, bareEmit, bareRoute] = await Promise.all([
      // The GC log is this server's alone: not in serverEnv, which monitoring-cost reuses.
      startServerProcess(
        { ...serverEnv, BENCH_PROBE_GC_FILE: serverGc.file },
        { node: opts.serverNode, nodeArgs: [...flags.accepted, ...PROBE_NODE_ARGS], readyTimeoutMs: 60_000 },
      ),
      startServerProcess({}, { script: 'dist/bench/load/bare-emit-server.js', nodeArgs: PROBE_NODE_ARGS }),
      startServerProcess({}, { script: 'dist/bench/load/bare-route-server.js' }),
    ]);
    const postmasterPid = await postmaster(db.url);
    const servers: Watched[] = [
      {
        role: 'chatpop server',
        pid: server.pid,
        what: `node ${flags.accepted.join(' ')} dist/src/server.js (the image's command${serverNodeNote(opts.serverNode, flags, imageNodeMajor(repoRoot()))}; NODE_ENV=production, PostgreSQL + Redis, Redis adapter)`,
      },
      { role: 'bare socket.io', pid: bareEmit.pid, what: 'node dist/bench/load/bare-emit-server.js (ceiling 1, in-memory adapter)' },
      { role: 'bare koa', pid: bareRoute.pid, what: 'node dist/bench/load/bare-route-server.js (ceiling 2)' },
      { role: 'redis-server', pid: redis.pid as number, what: 'throwaway redis-server (no persistence)' },
      {
        role: 'postgres (all backends)',
        pid: postmasterPid,
        tree: true,
        what: 'throwaway PostgreSQL (fsync off); CPU summed over its backends',
      },
      { role: 'bench orchestrator', pid: process.pid, what: 'node dist/bench/run.js (this process: setup and bookkeeping only)' },
    ];
    const extra = new Set<Watched>();
    const seen: Watched[] = [];
    const addWatched = (w: Watched) => {
      extra.add(w);
      seen.push(w);
      return () => extra.delete(w);
    };
    return {
      redis,
      db,
      server,
      serverEnv,
      serverGc,
      bareEmit,
      bareRoute,
      watched: () => [...servers, ...extra],
      addWatched,
      startReplica: async () => {
        // pg_basebackup waits for a spread checkpoint (up to minutes after the sections' writes):
        // an immediate one first leaves it next to nothing to write.
        await queryDatabase(db.url, 'checkpoint');
        const standby = await db.standby();
        let replicaServer: ServerProcess | undefined;
        try {
          await caughtUp(db.url, standby.url);
          replicaServer = await startServerProcess(
            { ...serverEnv, DATABASE_READ_URLS: standby.url },
            { node: opts.serverNode, nodeArgs: flags.accepted, readyTimeoutMs: 60_000 },
          );
          const unwatch = [
            addWatched({
              role: 'chatpop server, replica reads',
              pid: replicaServer.pid,
              what: `node ${flags.accepted.join(' ')} dist/src/server.js as the first, with DATABASE_READ_URLS set to the standby`,
            }),
            addWatched({
              role: 'postgres standby (all backends)',
              pid: await postmaster(standby.url),
              tree: true,
              what: 'a streaming standby of the throwaway PostgreSQL (pg_basebackup -R), started for the replica section',
            }),
          ];
          const started = replicaServer;
          return {
            server: started,
            standbyUrl: standby.url,
            stop: async () => {
              unwatch.forEach((u) => u());
              await started.stop();
              await standby.dispose();
            },
          };
        } catch (err) {
          await replicaServer?.stop();
          await standby.dispose();
          throw err;
        }
      },
      startPerChat: async () => {
        const name = 'chatpop_per_chat';
        await queryDatabase(db.url, `create database ${name}`);
        const databaseUrl = db.url.replace(/\/postgres$/, `/${name}`);
        const perChatGc = new ServerGcLog(path.join(gcDir, 'per-chat-gc.jsonl'));
        let perChatServer: ServerProcess | undefined;
        try {
          await queryDatabase(databaseUrl, FAKE_CITUS_SQL);
          perChatServer = await startServerProcess(
            { ...serverEnv, DATABASE_URL: databaseUrl, REDIS_URL: `${redis.url}/1`, BENCH_PROBE_GC_FILE: perChatGc.file },
            { node: opts.serverNode, nodeArgs: [...flags.accepted, ...PROBE_NODE_ARGS], readyTimeoutMs: 60_000 },
          );
          // Per-chat mode, as the server found it at start, and the migration's tables distributed.
          const [{ tables }] = await queryDatabase<{ tables: number }>(
            databaseUrl,
            `select count(*)::int as tables from fake_citus_tables where kind = 'distributed'`,
          );
          if (!perChatServer.output().includes(PER_CHAT_LOG) || !tables)
            throw new Error(`the second server is not in per-chat mode (${tables} distributed tables):\n${perChatServer.output()}`);
          const unwatch = addWatched({
            role: 'chatpop server, per chat',
            pid: perChatServer.pid,
            what: `node ${flags.accepted.join(' ')} dist/src/server.js as the first, on a database with the Citus stand-ins (one send statement per chat)`,
          });
          const started = perChatServer;
          return {
            server: started,
            serverGc: perChatGc,
            databaseUrl,
            stop: async () => {
              unwatch();
              await started.stop();
              await queryDatabase(db.url, `drop database ${name} with (force)`);
            },
          };
        } catch (err) {
          await perChatServer?.stop();
          await queryDatabase(db.url, `drop database if exists ${name} with (force)`);
          throw err;
        }
      },
      processes: () => [...servers, ...seen].map((w) => ({ role: w.role, pid: w.pid, what: w.what ?? 'load generator' })),
      stop: async () => {
        await Promise.all([server.stop(), bareEmit.stop(), bareRoute.stop()]);
        await redis.stop();
        await db.dispose();
        await cleanupAll();
        removeTempDir(gcDir);
      },
    };
  } catch (err) {
    await owned?.dispose().catch(() => undefined);
    await cleanupAll();
    removeTempDir(gcDir);
    throw err;
  }
}

/** Until the standby has replayed everything the primary had written when this was called. */
async function caughtUp(primary: string, standby: string): Promise<void> {
  const [{ lsn }] = await queryDatabase<{ lsn: string }>(primary, 'select pg_current_wal_lsn()::text as lsn');
  for (let i = 0; i < 400; i++) {
    const [{ done }] = await queryDatabase<{ done: boolean }>(standby, 'select pg_last_wal_replay_lsn() >= $1::pg_lsn as done', [lsn]);
    if (done) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the standby did not catch up with the primary in 20 s');
}

/** The PostgreSQL postmaster: the parent of any backend. */
async function postmaster(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const ppid = parentPid(rows[0]!.pid);
    if (!ppid) throw new Error('cannot find the postgres postmaster');
    return ppid;
  } finally {
    await client.end();
  }
}
