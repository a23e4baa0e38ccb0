import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { migratorOf, openOrm, type Orm } from '../../src/db';
import { Message } from '../../src/domain';
import { DATABASE_TARGETS } from './database-targets';

const MIGRATION = 'Migration20261222000000ClientIdPerSender';
const BEFORE = 'Migration20261220000000ChatsHotUpdates';

/** A message row as a sender in one chat would leave it. */
async function insert(orm: Orm, chatId: string, participantId: string, seq: number, clientId: string, createdAt: Date) {
  await orm.em.fork().insert(Message, {
    id: randomUUID(),
    chatId,
    channel: 'main',
    seq,
    version: seq,
    participantId,
    username: `p${seq}`,
    content: `m${seq}`,
    clientId,
    reactions: {},
    createdAt,
    usernameIsReserved: false,
    messageType: 'normal',
    deleted: false,
  });
}

const clientIds = async (orm: Orm, chatId: string) =>
  (await orm.em.fork().find(Message, { chatId }, { orderBy: { seq: 'asc' } })).map((m) => m.clientId);

// Issue #22, integrity: the migration that makes client_id unique per sender and channel.
for (const target of DATABASE_TARGETS) {
  describe(`client_id per sender migration on ${target.name}`, function () {
    this.timeout(30_000);

    it('keeps stored client_ids, lets a second sender reuse one, and going down keeps only the earliest', async () => {
      const db = await target.open();
      const orm = await openOrm(db.url);
      try {
        const migrator = await migratorOf(orm);
        await migrator.up({ to: BEFORE });
        const chatId = randomUUID();
        await insert(orm, chatId, randomUUID(), 1, 'c-1', new Date(1000));

        await migrator.up({ to: MIGRATION });
        await insert(orm, chatId, randomUUID(), 2, 'c-1', new Date(2000));
        expect(await clientIds(orm, chatId)).to.deep.equal(['c-1', 'c-1']);

        await migrator.down({ to: MIGRATION }); // inclusive: reverts it (and any later one)
        expect(await clientIds(orm, chatId)).to.deep.equal(['c-1', null]);
        await migrator.up();
        expect(await migrator.getPendingMigrations()).to.have.length(0);
      } finally {
        await orm.close(true);
        await db.dispose();
      }
    });
  });
}
