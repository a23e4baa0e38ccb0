import { MIGRATION_NAMES } from './migrations/names';
import type { Orm } from './orm';

/** Migrations of this code the database has not applied: all of them when it has no migrations table yet. */
export async function pendingMigrations(orm: Orm): Promise<string[]> {
  const table = orm.config.get('migrations').tableName ?? 'mikro_orm_migrations';
  const conn = orm.em.getConnection();
  let rows: { name: string }[];
  try {
    rows = await conn.execute<{ name: string }[]>(`select name from ${conn.getPlatform().quoteIdentifier(table)}`);
  } catch (err) {
    // 42P01: PostgreSQL's undefined_table; SQLite only says so in words.
    if ((err as { code?: string }).code === '42P01' || /no such table/.test(String((err as Error).message))) return [...MIGRATION_NAMES];
    throw err;
  }
  const applied = new Set(rows.map((r) => r.name));
  return MIGRATION_NAMES.filter((name) => !applied.has(name));
}

/**
 * Whether the database's schema is the one this code expects (readiness: a pod whose migrate hook
 * was skipped or failed must not take traffic). It asks the database until the answer is yes, then
 * never again: readiness is probed every few seconds, and a schema does not fall behind a running pod.
 */
export class SchemaWatch {
  private current = false;
  private asking: Promise<boolean> | undefined;

  constructor(private readonly orm: Orm) {}

  /** true once every migration is applied; throws when the database cannot be asked. */
  async isCurrent(): Promise<boolean> {
    if (this.current) return true;
    this.asking ??= pendingMigrations(this.orm)
      .then((pending) => (this.current = pending.length === 0))
      .finally(() => (this.asking = undefined));
    return this.asking;
  }
}
