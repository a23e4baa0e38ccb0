import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Orm } from './orm';

/**
 * Whether the database is distributed by chat: PostgreSQL with Citus (its create_distributed_table
 * present, as the DistributeByChat migration asks). Then no statement on a chat table may span
 * chats; on one PostgreSQL the send path keeps its one statement for many chats.
 */
export async function isDistributed(orm: Orm): Promise<boolean> {
  if (!(orm.em.getDriver() instanceof PostgreSqlDriver)) return false;
  const rows = await orm.em
    .getConnection()
    .execute<{ citus: boolean }[]>(`select exists (select 1 from pg_proc where proname = 'create_distributed_table') as citus`)
    .catch(() => [{ citus: false }]);
  return rows[0]?.citus === true;
}
