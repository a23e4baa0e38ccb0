import { expect } from 'chai';
import { Client } from 'pg';
import { databaseUnavailable } from '../../src/db';
import { createTestDatabase, freePort, type TestDatabase } from '../support';

/** What a statement on a fresh client of `url` throws, after `prepare` had its way with the client. */
async function failure(url: string, sql: string, prepare: (c: Client) => Promise<unknown> = async () => undefined): Promise<unknown> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined); // a dropped connection surfaces through query()
  try {
    await client.connect();
    await prepare(client);
    await client.query(sql);
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => undefined);
  }
  throw new Error(`${sql} went through`);
}

describe('databaseUnavailable: every failure to reach or keep a database connection, and nothing else', function () {
  this.timeout(20_000);
  let db: TestDatabase;

  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db?.drop());

  const unavailable = (err: unknown) => expect(databaseUnavailable(err)?.code, String(err)).to.equal('unavailable');

  it('counts a server nobody listens for', async () => {
    const url = new URL(db.url);
    url.port = String(await freePort());
    unavailable(await failure(url.toString(), 'select 1'));
  });

  it('counts a session the server ends under a statement (57P01, as a fast shutdown does)', async () => {
    const err = await failure(db.url, 'select pg_terminate_backend(pg_backend_pid())');
    expect((err as { code?: string }).code).to.equal('57P01');
    unavailable(err);
  });

  it('counts a client used after its connection closed', async () => {
    const err = await failure(db.url, 'select 1', (c) => c.end());
    unavailable(err);
  });

  it('leaves out what a live connection refuses: bad SQL, a unique violation', async () => {
    expect(databaseUnavailable(await failure(db.url, 'selec 1'))).to.equal(null);
    const dup = await failure(db.url, 'insert into t values (1)', (c) =>
      c.query('create temporary table t (id int primary key); insert into t values (1)'),
    );
    expect((dup as { code?: string }).code).to.equal('23505');
    expect(databaseUnavailable(dup)).to.equal(null);
  });
});
