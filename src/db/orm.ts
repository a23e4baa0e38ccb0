import 'reflect-metadata';
import { MikroORM, type IMigrator, type Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { PgDriver } from './pg-driver';
import type { EntityManager } from '@mikro-orm/knex';
import { ENTITIES } from '../domain';
import type { Logger } from '../logger';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url';

export type Orm = MikroORM;
export type Em = EntityManager;

/** MikroORM options for a DATABASE_URL: PostgreSQL in production, SQLite as the embedded default. */
export function ormOptions(databaseUrl: string, log?: Logger): Options {
  const target = parseDatabaseUrl(databaseUrl);
  const common = {
    entities: ENTITIES,
    // The list of migrations is set on first use (migratorOf).
    migrations: { transactional: true, allOrNothing: true, silent: true },
    // Services fork an EntityManager per unit of work (forkEm); the global one must never be used.
    allowGlobalContext: false,
    debug: false,
    discovery: { disableDynamicFileAccess: true },
    forceUtcTimezone: true,
  } satisfies Partial<Options>;
  if (target.kind === 'sqlite') {
    return { ...common, driver: LibSqlDriver, dbName: target.file } as Options;
  }
  return {
    ...common,
    driver: PgDriver,
    clientUrl: target.url,
    // With the database gone, a statement fails within seconds (answered 503 `unavailable`) instead
    // of waiting a minute for a connection: a connect gives up after 5 s, a pool checkout after 10 s.
    pool: { min: 0, max: 20, acquireTimeoutMillis: 10_000 },
    driverOptions: { connection: { connectionTimeoutMillis: 5_000 }, ...(log ? { log: knexLog(log) } : {}) },
  } as Options;
}

/** knex's own warnings (a pooled connection that died, …) as JSON log lines instead of console text. */
function knexLog(log: Logger) {
  const child = log.child({ component: 'knex' });
  return {
    warn: (message: unknown) => child.warn(String(message)),
    error: (message: unknown) => child.error(String(message)),
    deprecate: (method: unknown, alternative: unknown) => child.warn(`${String(method)} is deprecated; use ${String(alternative)}`),
    debug: () => undefined,
  };
}

export function databaseKind(databaseUrl: string): DatabaseTarget['kind'] {
  return parseDatabaseUrl(databaseUrl).kind;
}

/** Opens the ORM; for SQLite also switches on WAL so readers do not block the writer. */
export async function openOrm(databaseUrl: string, log?: Logger): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(databaseUrl, log));
  if (databaseKind(databaseUrl) === 'sqlite') {
    const conn = orm.em.getConnection();
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma synchronous = normal');
  }
  return orm;
}

/**
 * The ORM's migrator, set up on first use: the migrations and @mikro-orm/migrations behind them pull
 * in umzug and its command line (290 modules, 3 MB of heap) that a server which does not migrate never
 * needs. It is registered here, from this module: left to MikroORM, the package is looked up from
 * the working directory, and a job started elsewhere (`migrate` on PATH) would not find it.
 */
export async function migratorOf(orm: Orm): Promise<IMigrator> {
  const [{ MIGRATIONS }, { Migrator }] = await Promise.all([import('./migrations'), import('@mikro-orm/migrations')]);
  if (!orm.config.getExtension('@mikro-orm/migrator')) Migrator.register(orm);
  const options = orm.config.get('migrations');
  if (options.migrationsList !== MIGRATIONS) orm.config.set('migrations', { ...options, migrationsList: MIGRATIONS });
  return orm.migrator;
}

/** Applies pending migrations; returns their names. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const done = await (await migratorOf(orm)).up();
  return done.map((m) => m.name);
}
