import 'reflect-metadata';
import { MikroORM, type Options } from '@mikro-orm/core';
import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { EntityManager } from '@mikro-orm/knex';
import { ENTITIES } from '../domain';
import { MIGRATIONS } from './migrations';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url';

export type Orm = MikroORM;
export type Em = EntityManager;

/** MikroORM options for a DATABASE_URL: PostgreSQL in production, SQLite as the embedded default. */
export function ormOptions(databaseUrl: string): Options {
  const target = parseDatabaseUrl(databaseUrl);
  const common = {
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { migrationsList: MIGRATIONS, transactional: true, allOrNothing: true, silent: true },
    // Services fork an EntityManager per request or event; the global one must never be used.
    allowGlobalContext: false,
    debug: false,
    discovery: { disableDynamicFileAccess: true },
    forceUtcTimezone: true,
  } satisfies Partial<Options>;
  if (target.kind === 'sqlite') {
    return { ...common, driver: BetterSqliteDriver, dbName: target.file } as Options;
  }
  return { ...common, driver: PostgreSqlDriver, clientUrl: target.url, pool: { min: 0, max: 20 } } as Options;
}

export function databaseKind(databaseUrl: string): DatabaseTarget['kind'] {
  return parseDatabaseUrl(databaseUrl).kind;
}

/** Opens the ORM; for SQLite also switches on WAL so readers do not block the writer. */
export async function openOrm(databaseUrl: string): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(databaseUrl));
  if (databaseKind(databaseUrl) === 'sqlite') {
    const conn = orm.em.getConnection();
    await conn.execute('pragma journal_mode = wal');
    await conn.execute('pragma busy_timeout = 5000');
    await conn.execute('pragma synchronous = normal');
  }
  return orm;
}

/** Applies pending migrations; returns their names. */
export async function migrateUp(orm: Orm): Promise<string[]> {
  const done = await orm.getMigrator().up();
  return done.map((m) => m.name);
}
