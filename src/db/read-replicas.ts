import pg from 'pg';
import type { QueryConfig, QueryResultRow } from 'pg';

export type ReplicaResult = 'served' | 'lagging' | 'failed';

/**
 * Read replicas (DATABASE_READ_URLS): streaming standbys that answer history pages the cache
 * cannot. Taken in turn. A replica's answer is only trusted when the caller can tell it is whole
 * (MessageRepository.page); `onResult` counts each answer for /metrics.
 */
export class ReadReplicas {
  private readonly pools: pg.Pool[];
  private next = 0;
  onResult: (result: ReplicaResult) => void = () => undefined;

  constructor(urls: string[]) {
    this.pools = urls.map((url) => {
      const pool = new pg.Pool({ connectionString: url.replace(/^postgresql:/, 'postgres:'), max: 10, connectionTimeoutMillis: 5_000 });
      pool.on('error', () => undefined); // an idle connection's loss: the next query opens another
      return pool;
    });
  }

  async query<R extends QueryResultRow>(config: QueryConfig): Promise<R[]> {
    const pool = this.pools[this.next++ % this.pools.length];
    return (await pool.query<R>(config)).rows;
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.end()));
  }
}
