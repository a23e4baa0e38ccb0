import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import type { AbstractSqlConnection } from '@mikro-orm/knex';
import { databaseUnavailable, forkEm, openOrm, type Orm } from '../../src/db';
import { createLogger } from '../../src/logger';
import { createTestDatabase, type TestDatabase } from '../support';

/** Holds the event loop, so what arrives on a socket meanwhile stays unread until it is released. */
const holdEventLoop = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

describe('PostgreSQL transactions on a connection the server has closed', function () {
  this.timeout(30_000);
  let db: TestDatabase;
  let orm: Orm;

  before(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url, createLogger('silent'));
  });
  after(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('fails a transaction whose BEGIN meets the closed connection as unavailable, with the server\'s own error, not "Transaction query already complete"', async () => {
    const em = forkEm(orm);
    // One pooled connection, idle: the next transaction takes it.
    const [{ pid }] = await em.getConnection().execute<{ pid: number }[]>('select pg_backend_pid() as pid');
    // The server ends the session as BEGIN goes out (as a fast shutdown does), before this process
    // can read that it did: psql and the wait block the event loop.
    const knex = (em.getConnection() as AbstractSqlConnection).getKnex();
    const terminate = (q: { sql: string }) => {
      if (!/^begin/i.test(q.sql)) return;
      knex.off('query', terminate);
      execFileSync('psql', [db.url, '-qAt', '-c', `select pg_terminate_backend(${Number(pid)})`]);
      holdEventLoop(200);
    };
    knex.on('query', terminate);
    const err = await em
      .transactional((tx) => tx.getConnection().execute('select 1', [], 'all', tx.getTransactionContext()))
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err, 'the transaction failed').to.be.instanceOf(Error);
    expect(err!.message).to.not.match(/already complete/);
    expect((err as { code?: string }).code, "the server's own error").to.equal('57P01');
    expect(databaseUnavailable(err), err!.message).to.not.equal(null);
    // The pool replaces the dead connection: the next transaction goes through.
    expect(
      await forkEm(orm).transactional((tx) => tx.getConnection().execute('select 1 as one', [], 'all', tx.getTransactionContext())),
    ).to.deep.equal([{ one: 1 }]);
  });
});
