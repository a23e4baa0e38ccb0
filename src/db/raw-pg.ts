import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { QueryConfig, QueryResultRow } from 'pg';
import type { Em, Orm } from './orm';

/** One statement on a connection of the ORM's own pool, bypassing the ORM. */
export interface RawPg {
  query<R extends QueryResultRow>(config: QueryConfig): Promise<R[]>;
}

interface PgClient {
  query<R extends QueryResultRow>(config: QueryConfig, callback: (err: Error | null, result: { rows: R[] }) => void): void;
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
        // pg's callback form, not its promise form: that one hands each query its callback after
        // the query object is made, and with it every send's objects outlived two scavenges and
        // were promoted (~4 MB/s at 6,800 sends/s; docs/benchmark.md, fourth pass).
        return await new Promise<R[]>((resolve, reject) =>
          conn.query<R>(config, (err, result) => (err ? reject(err) : resolve(result.rows))),
        );
      } finally {
        await pool.releaseConnection(conn);
      }
    },
  };
}
