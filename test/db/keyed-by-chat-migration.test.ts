import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { migratorOf, openOrm, type Orm } from '../../src/db';
import { DATABASE_TARGETS } from './database-targets';

const MIGRATION = 'Migration20261223000000KeyedByChat';
const BEFORE = 'Migration20261222000100PinnedBy';

const run = (orm: Orm, sql: string, params: unknown[] = []) => orm.em.fork().getConnection().execute(sql, params);
const now = () => new Date().toISOString();

/** A chat with a participant, a message and a reaction, written as the previous schema held them. */
async function seed(orm: Orm) {
  const ids = { chat: randomUUID(), participant: randomUUID(), message: randomUUID(), reaction: randomUUID() };
  await run(
    orm,
    `insert into chats (id, code, name, kind, direct_key, last_seq_main, last_seq_backroom, version, members_version, created_at, last_message_at)
    values (?, 'KEYED001', 'keyed', 'direct', 'a:b', 1, 0, 2, 0, ?, ?)`,
    [ids.chat, now(), now()],
  );
  await run(
    orm,
    `insert into participants (id, chat_id, username, username_key, is_host, backroom_member, last_read_seq, joined_at)
    values (?, ?, 'Ann', 'ann', false, false, 0, ?)`,
    [ids.participant, ids.chat, now()],
  );
  await run(
    orm,
    `insert into messages (id, chat_id, channel, seq, version, participant_id, username, username_is_reserved, content, message_type, reactions, created_at, deleted)
    values (?, ?, 'main', 1, 2, ?, 'Ann', false, 'hello', 'normal', '{}', ?, false)`,
    [ids.message, ids.chat, ids.participant, now()],
  );
  await run(orm, `insert into reactions (id, chat_id, message_id, participant_id, emoji, created_at) values (?, ?, ?, ?, 'x', ?)`, [
    ids.reaction,
    ids.chat,
    ids.message,
    ids.participant,
    now(),
  ]);
  return ids;
}

const refused = (p: Promise<unknown>) =>
  p.then(
    () => false,
    () => true,
  );

// Issue #24: messages, participants and reactions keyed by chat; codes and direct keys unique in chat_codes.
for (const target of DATABASE_TARGETS) {
  describe(`keyed-by-chat migration on ${target.name}`, function () {
    this.timeout(30_000);

    it('moves every row, fills chat_codes from chats, keys reactions per chat, and goes back down with the data', async () => {
      const db = await target.open();
      const orm = await openOrm(db.url);
      try {
        const migrator = await migratorOf(orm);
        await migrator.up({ to: BEFORE });
        const ids = await seed(orm);
        // An operator's index built ahead (CONCURRENTLY, outside any migration) becomes the new key.
        if (target.name === 'PostgreSQL')
          await run(orm, 'create unique index concurrently messages_pkey_by_chat on messages (chat_id, id)');

        await migrator.up({ to: MIGRATION });
        if (target.name === 'PostgreSQL') {
          const keys = await run(
            orm,
            `select indexrelid::regclass::text as name, pg_get_indexdef(indexrelid) as def from pg_index where indrelid = 'messages'::regclass and indisprimary`,
          );
          expect(keys).to.deep.equal([
            { name: 'messages_pkey', def: 'CREATE UNIQUE INDEX messages_pkey ON public.messages USING btree (chat_id, id)' },
          ]);
          expect(await run(orm, `select to_regclass('messages_pkey_by_chat') as left_over`)).to.deep.equal([{ left_over: null }]);
        }
        expect(await run(orm, 'select code, chat_id, kind, direct_key from chat_codes')).to.deep.equal([
          { code: 'KEYED001', chat_id: ids.chat, kind: 'direct', direct_key: 'a:b' },
        ]);
        for (const table of ['participants', 'messages', 'reactions']) {
          expect(await run(orm, `select id from ${table} where chat_id = ?`, [ids.chat]), table).to.have.length(1);
        }
        // Codes and direct keys stay unique, now through chat_codes.
        expect(
          await refused(run(orm, `insert into chat_codes (code, chat_id, kind) values ('KEYED001', ?, 'group')`, [randomUUID()])),
        ).to.equal(true);
        expect(
          await refused(
            run(orm, `insert into chat_codes (code, chat_id, kind, direct_key) values ('KEYED002', ?, 'direct', 'a:b')`, [randomUUID()]),
          ),
        ).to.equal(true);
        // A second identical reaction is still refused (the unique key now leads with chat_id).
        const again = `insert into reactions (id, chat_id, message_id, participant_id, emoji, created_at) values (?, ?, ?, ?, 'x', ?)`;
        expect(await refused(run(orm, again, [randomUUID(), ids.chat, ids.message, ids.participant, now()]))).to.equal(true);

        await migrator.down({ to: MIGRATION });
        expect(await run(orm, 'select code from chats where id = ?', [ids.chat])).to.deep.equal([{ code: 'KEYED001' }]);
        for (const table of ['participants', 'messages', 'reactions']) {
          expect(
            await run(orm, `select id from ${table} where id = ?`, [ids[table.slice(0, -1) as 'participant' | 'message' | 'reaction']]),
            table,
          ).to.have.length(1);
        }
        await migrator.up();
        expect(await migrator.getPendingMigrations()).to.have.length(0);
      } finally {
        await orm.close(true);
        await db.dispose();
      }
    });
  });
}
