// A fresh PostgreSQL database per caller. One throwaway cluster serves the whole mocha run
// (initdb + start costs about a second, a CREATE DATABASE a fraction of that): the main mocha
// process starts it (startRunPostgres, a global fixture) and its parallel workers inherit its
// address. With TEST_DATABASE_URL set, databases are created in that server instead. A process
// that did not start the server drops only the databases it created.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import {
  findBinary,
  makeTempDir,
  outputTail,
  removeTempDir,
  spawnTracked,
  stopChild,
  waitForOutput,
  type TrackedChild,
} from './child-processes';
import { freePort } from './free-port';

const BIN_DIRS = ['/usr/local/bin', '/usr/lib/postgresql/15/bin', '/usr/bin'];
const INITDB = findBinary(
  'initdb',
  BIN_DIRS.map((d) => path.join(d, 'initdb')),
);
const POSTGRES = findBinary(
  'postgres',
  BIN_DIRS.map((d) => path.join(d, 'postgres')),
);
const PG_BASEBACKUP = findBinary(
  'pg_basebackup',
  BIN_DIRS.map((d) => path.join(d, 'pg_basebackup')),
);
const READY_TIMEOUT_MS = 20_000;

export interface TestDatabase {
  /** `postgres://user@127.0.0.1:port/dbname` */
  url: string;
  name: string;
  /** Drops the database, disconnecting anyone still using it. Safe to call twice. */
  drop(): Promise<void>;
}

interface Cluster {
  /** URL of the maintenance database (`postgres`) we run CREATE/DROP DATABASE from. */
  adminUrl: string;
  /** Stops a server this process started; on someone else's, drops what this process left. */
  stop(): Promise<void>;
}

/** How the main mocha process hands the cluster it started to the workers it forks afterwards. */
const RUN_CLUSTER_ENV = 'CHATPOP_TEST_RUN_POSTGRES_URL';

let cluster: Promise<Cluster> | undefined;
const undropped = new Set<string>();

/** A new, empty database named `chatpop_t_<random>`; starts the shared server on first use. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl } = await sharedCluster();
  const name = `chatpop_t_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  undropped.add(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      undropped.delete(name);
    },
  };
}

/** Global setup: starts the run's server now, so every worker forked later uses this one. */
export async function startRunPostgres(): Promise<void> {
  const { adminUrl } = await sharedCluster();
  process.env[RUN_CLUSTER_ENV] = adminUrl;
}

/**
 * End of run (or, in a parallel worker, of a file): stops the throwaway server and removes its
 * files, or, on a server someone else started, drops the databases this process created and
 * nobody dropped.
 */
export async function stopPostgres(): Promise<void> {
  const current = cluster;
  cluster = undefined;
  if (!current) return;
  const c = await current.catch(() => undefined);
  await c?.stop();
}

function sharedCluster(): Promise<Cluster> {
  if (!cluster) {
    const external = externalUrl();
    const starting = external ? Promise.resolve(someoneElses(external)) : startCluster();
    // A failed start is not cached: the next caller gets a fresh attempt and a fresh error.
    starting.catch(() => {
      if (cluster === starting) cluster = undefined;
    });
    cluster = starting;
  }
  return cluster;
}

/** A server someone else started: the user's TEST_DATABASE_URL, or the main mocha process's. */
function externalUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env[RUN_CLUSTER_ENV];
}

function someoneElses(adminUrl: string): Cluster {
  return {
    adminUrl,
    stop: async () => {
      for (const name of [...undropped]) await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      undropped.clear();
    },
  };
}

/** Runs one statement on a fresh connection and returns its rows (for tests that read the database directly). */
export async function queryDatabase<R extends object = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined); // a dropped connection surfaces through query()
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function admin(adminUrl: string, sql: string): Promise<void> {
  await queryDatabase(adminUrl, sql);
}

async function startCluster(): Promise<Cluster> {
  const dir = makeTempDir('chatpop-pg-');
  try {
    const { dataDir, asUser } = await initCluster(dir);
    const { port, server } = await startServer(dir, dataDir, asUser);
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      adminUrl,
      stop: async () => {
        if (process.env[RUN_CLUSTER_ENV] === adminUrl) delete process.env[RUN_CLUSTER_ENV];
        undropped.clear();
        await stopChild(server, 'SIGINT');
        removeTempDir(dir);
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}

/** A cluster of the caller's own, which it may stop and start again: for tests of a database restart. */
export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:port/postgres`; the port stays across restarts */
  url: string;
  /** PostgreSQL's fast shutdown (SIGINT): running statements fail, sessions are terminated; resolves once it exited */
  stop(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections */
  start(): Promise<void>;
  /** Stops it if running and removes its files */
  dispose(): Promise<void>;
  /** A streaming standby of it (pg_basebackup -R) on a port of its own, read-only */
  standby(): Promise<{ url: string; dispose(): Promise<void> }>;
}

/** A throwaway cluster apart from the run's shared one, so stopping it disturbs no other test. */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = makeTempDir('chatpop-pg-own-');
  try {
    const { dataDir, asUser } = await initCluster(dir);
    let { port, server } = await startServer(dir, dataDir, asUser);
    let running: TrackedChild | undefined = server;
    const stop = async () => {
      const s = running;
      running = undefined;
      if (s) await stopChild(s, 'SIGINT');
    };
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop,
      start: async () => {
        if (running) return;
        ({ port, server } = await startServer(dir, dataDir, asUser, port));
        running = server;
      },
      dispose: async () => {
        await stop();
        removeTempDir(dir);
      },
      standby: async () => {
        const standbyDir = makeTempDir('chatpop-pg-standby-');
        try {
          if (asUser) fs.chownSync(standbyDir, asUser.uid, asUser.gid);
          const standbyData = path.join(standbyDir, 'data');
          const backup = spawnTracked(
            'pg_basebackup',
            PG_BASEBACKUP,
            ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-D', standbyData, '-R', '-X', 'stream', '--no-sync'],
            { cwd: standbyDir, ...asUser },
          );
          const exit = await backup.exited;
          if (exit.code !== 0) throw new Error(`pg_basebackup failed (${JSON.stringify(exit)}):\n${outputTail(backup)}`);
          const standby = await startServer(
            standbyDir,
            standbyData,
            asUser,
            undefined,
            /database system is ready to accept read-only connections/,
          );
          return {
            url: `postgres://postgres@127.0.0.1:${standby.port}/postgres`,
            dispose: async () => {
              await stopChild(standby.server, 'SIGINT');
              removeTempDir(standbyDir);
            },
          };
        } catch (err) {
          removeTempDir(standbyDir);
          throw err;
        }
      },
    };
  } catch (err) {
    removeTempDir(dir);
    throw err;
  }
}

async function initCluster(dir: string): Promise<{ dataDir: string; asUser: UserIds | undefined }> {
  const asUser = postgresUser();
  if (asUser) fs.chownSync(dir, asUser.uid, asUser.gid);
  const dataDir = path.join(dir, 'data');
  const initdb = spawnTracked('initdb', INITDB, ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C'], {
    cwd: dir,
    ...asUser,
  });
  const exit = await initdb.exited;
  if (exit.code !== 0) throw new Error(`initdb failed (${JSON.stringify(exit)}):\n${outputTail(initdb)}`);
  return { dataDir, asUser };
}

/** Starts postgres on `fixedPort`, or on a free port (retried if another process takes it first). */
async function startServer(
  dir: string,
  dataDir: string,
  asUser: UserIds | undefined,
  fixedPort?: number,
  ready = /database system is ready to accept connections/,
) {
  for (let attempt = 1; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    // SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT, its "immediate" one, still takes the
    // backends down with the postmaster, which SIGKILL would not.
    const server = spawnTracked(
      `postgres :${port}`,
      POSTGRES,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        // Durability buys nothing for a throwaway cluster and costs seconds per suite.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { cwd: dir, ...asUser, stopSignal: 'SIGINT', exitSignal: 'SIGQUIT' },
    );
    try {
      await waitForOutput(server, ready, READY_TIMEOUT_MS);
      return { port, server };
    } catch (err) {
      await stopChild(server, 'SIGQUIT');
      // Another process on the machine may have bound the port between our check and postgres.
      if (fixedPort !== undefined || attempt >= 3 || !/could not bind|Address already in use/.test(String(err))) throw err;
    }
  }
}

interface UserIds {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` user instead. */
function postgresUser(): UserIds | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
