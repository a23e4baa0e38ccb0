import { ConnectionException, type Configuration } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/knex';
import { PostgreSqlConnection, PostgreSqlDriver } from '@mikro-orm/postgresql';

/**
 * knex hands out a transaction whose BEGIN failed (its connection closed under it: PostgreSQL
 * stopping, a network cut) as begun, but already finished, with BEGIN's error set aside; its
 * first statement then throws "Transaction query already complete", with no code, and reads as a
 * bug. A BEGIN fails only when its connection does, so this raises what happened, a
 * ConnectionException carrying BEGIN's own error (the contract's `unavailable`).
 */
class PgConnection extends PostgreSqlConnection {
  override async begin(options?: Parameters<PostgreSqlConnection['begin']>[0]): Promise<Knex.Transaction> {
    const trx = await super.begin(options);
    if (!trx.isCompleted()) return trx;
    const failed: unknown = await trx.executionPromise.then(
      () => new Error('the transaction ended before it began'),
      (err: unknown) => err,
    );
    const cause = failed instanceof Error ? failed : new Error(String(failed));
    // A savepoint (nested) can fail on its own account; only the outer BEGIN means the connection.
    if (options?.ctx) throw cause;
    // knex has put the connection back in the pool, where it passes for alive until its end is
    // read; knex's own mark of a dead connection has the pool drop it instead of lending it again.
    const { client } = trx as unknown as { client: { acquireConnection(): Promise<{ __knex__disposed?: unknown }> } };
    const connection = await client.acquireConnection();
    connection.__knex__disposed ??= cause;
    throw new ConnectionException(cause);
  }
}

/** MikroORM's PostgreSQL driver, on a connection whose failed BEGIN says so (PgConnection). */
export class PgDriver extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    (this as unknown as { connection: PgConnection }).connection = new PgConnection(this.config);
  }
}
