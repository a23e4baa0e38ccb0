import { expect } from 'chai';
import { migratorOf, openOrm, type Orm } from '../../src/db';
import { DISTRIBUTED_TABLES, REFERENCE_TABLES } from '../../src/db/migrations/migration-20261223000100-distribute-by-chat';
import { createTestDatabase, type TestDatabase } from '../support';
import { FAKE_CITUS_SQL } from '../support/fake-citus';

const run = <T = Record<string, unknown>>(orm: Orm, sql: string) => orm.em.fork().getConnection().execute<T[]>(sql);
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: Error) => e.message,
  );

// Issue #24: Citus is not installable here, so its documented rules are checked by stand-in functions
// (test/support/fake-citus.ts, which quotes the documentation) that the migrations call in Citus mode.
describe('Citus mode: the migrations against the documented rules of create_distributed_table', function () {
  this.timeout(60_000);
  let db: TestDatabase;
  let orm: Orm;

  beforeEach(async () => {
    db = await createTestDatabase();
    orm = await openOrm(db.url);
    await run(orm, FAKE_CITUS_SQL);
  });

  afterEach(async () => {
    await orm.close(true);
    await db.drop();
  });

  it('distributes the chat tables by chat in one colocation group and makes users, settings and chat_codes reference tables', async () => {
    const migrator = await migratorOf(orm);
    await migrator.up();
    const rows: { relid: string; kind: string; dist_column: string | null; colocation: number | null }[] = await run(
      orm,
      'select relid::text, kind, dist_column, colocation from fake_citus_tables order by relid::text',
    );
    const distributed = rows.filter((r) => r.kind === 'distributed');
    expect(distributed.map((r) => [r.relid, r.dist_column]).sort()).to.deep.equal([...DISTRIBUTED_TABLES].sort());
    expect(new Set(distributed.map((r) => r.colocation)).size, 'one colocation group').to.equal(1);
    expect(
      rows
        .filter((r) => r.kind === 'reference')
        .map((r) => r.relid)
        .sort(),
    ).to.deep.equal([...REFERENCE_TABLES].sort());

    await migrator.down({ to: 'Migration20261223000100DistributeByChat' });
    expect(await run(orm, 'select * from fake_citus_tables')).to.deep.equal([]);
    await migrator.up();
  });

  it('would refuse the schema before the keyed-by-chat migration: keys on id alone, reactions and codes unique without the chat', async () => {
    const migrator = await migratorOf(orm);
    await migrator.up({ to: 'Migration20261222000100PinnedBy' });
    expect(await refusal(run(orm, `select create_distributed_table('chats', 'id')`))).to.match(
      /chats_code_unique does not include the distribution column id/,
    );
    expect(await refusal(run(orm, `select create_distributed_table('messages', 'chat_id')`))).to.match(
      /messages_pkey does not include the distribution column chat_id/,
    );
    expect(await refusal(run(orm, `select create_distributed_table('participants', 'chat_id')`))).to.match(/participants_pkey/);
    expect(await refusal(run(orm, `select create_distributed_table('reactions', 'chat_id')`))).to.match(/reactions_/);
  });

  it('the stand-ins refuse what Citus refuses for foreign keys, and accept a distributed table referencing a reference table', async () => {
    await run(
      orm,
      `create table ref (id int primary key);
      create table a (k int, id int, primary key (k, id));
      create table b (k int, id int, a_id int, r int references ref (id), primary key (k, id), foreign key (k, a_id) references a (k, id));
      create table c (k int, id int, a_id int, primary key (k, id), foreign key (a_id, k) references a (id, k));
      create table d (k int, id int, primary key (k, id), foreign key (k, id) references a (k, id));
      create table ref2 (id int primary key, a_k int, a_id int, foreign key (a_k, a_id) references a (k, id))`,
    );
    await run(orm, `select create_reference_table('ref')`);
    await run(orm, `select create_distributed_table('a', 'k')`);
    // "between two colocated distributed tables when the key includes the distribution column"
    // and "a distributed table referencing a reference table"
    expect(await refusal(run(orm, `select create_distributed_table('b', 'k', colocate_with => 'a')`))).to.equal(null);
    // the key pairs k with a's id, not with a's distribution column
    expect(await refusal(run(orm, `select create_distributed_table('c', 'id', colocate_with => 'a')`))).to.match(
      /does not pair the distribution columns/,
    );
    // colocation group of its own
    expect(await refusal(run(orm, `select create_distributed_table('d', 'k', colocate_with => 'none')`))).to.match(/not colocated/);
    // "Foreign keys from reference tables to distributed tables are not supported."
    expect(await refusal(run(orm, `select create_reference_table('ref2')`))).to.match(/references the distributed table a/);
  });
});
