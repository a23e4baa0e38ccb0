import type { Orm } from '../db';

// The ORM's migrator (MikroORM and knex, ~700 modules) loads on demand, so `migrate --help` and
// usage errors answer at once.
async function loadMigrator(orm: Orm) {
  const { migratorOf } = await import('../db');
  return migratorOf(orm);
}

export interface MigrationStatus {
  database: string;
  executed: { name: string; executed_at: string }[];
  pending: string[];
}

export interface MigrationRun {
  database: string;
  direction: 'up' | 'down';
  /** the migrations applied (up) or reverted (down), in the order they ran */
  migrations: string[];
  status: MigrationStatus;
}

/** Which migrations the database has run and which are still to run. */
export async function migrationStatus(orm: Orm, database: string): Promise<MigrationStatus> {
  const migrator = await loadMigrator(orm);
  // One after the other: on a fresh database each call creates the migrations table.
  const executed = await migrator.getExecutedMigrations();
  const pending = await migrator.getPendingMigrations();
  return {
    database,
    executed: executed.map((m) => ({ name: m.name, executed_at: new Date(m.executed_at).toISOString() })),
    pending: pending.map((m) => m.name),
  };
}

/** Applies every pending migration, each in its own transaction (all or nothing). */
export async function migrateUp(orm: Orm, database: string): Promise<MigrationRun> {
  const { migrateUp: applyPending } = await import('../db');
  return { database, direction: 'up', migrations: await applyPending(orm), status: await migrationStatus(orm, database) };
}

/** Reverts the most recent migration only. */
export async function migrateDown(orm: Orm, database: string): Promise<MigrationRun> {
  const done = await (await loadMigrator(orm)).down();
  return { database, direction: 'down', migrations: done.map((m) => m.name), status: await migrationStatus(orm, database) };
}
