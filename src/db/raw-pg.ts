import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { QueryConfig, QueryResultRow } from 'pg';
import type { Em, Orm } from './orm';

/** One statement on a connection of the ORM's own pool, bypassing the ORM. */
export interface RawPg {
  query<R extends QueryResultRow>(config: QueryConfig): Promise<R[]>;
}

interface PgClient {
  query<R extends QueryResultRow>(config: QueryConfig): Promise<{ rows: R[] }>;
}

interface KnexPool {
  acquireConnection(): Promise<PgClient>;
  releaseConnection(c: PgClient): Promise<void>;
}

/**
 * For the few hot statements where the ORM's per-query work costs more than the database's
 * (the send path's single statement): the `pg` client under MikroORM's knex pool, so connection
 * limits and shutdown stay the ORM's. Named statements are prepared once per connection.
 * null unless the database is PostgreSQL.
 */
export function rawPg(orm: Orm): RawPg | null {
  if (!(orm.em.getDriver() instanceof PostgreSqlDriver)) return null;
  const pool = (orm.em as Em).getConnection().getKnex().client as KnexPool;
  return {
    async query<R extends QueryResultRow>(config: QueryConfig): Promise<R[]> {
      const conn = await pool.acquireConnection();
      try {
        return (await conn.query<R>(config)).rows;
      } finally {
        await pool.releaseConnection(conn);
      }
    },
  };
}
