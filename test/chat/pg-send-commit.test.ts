import { expect } from 'chai';
import type { SessionClaims } from '../../src/auth/tokens';
import { OrmSendCommit, type CommittedBatch, type SendGroup } from '../../src/chat/send-commit';
import { PgSendCommit } from '../../src/chat/pg-send-commit';
import { rawPg } from '../../src/db';
import { chatWithHost, type ApiClient, useTestApp } from '../support';

// The PostgreSQL group commit on a real PostgreSQL: one statement stores the sends of many chats.
describe('PostgreSQL group commit: a value the database refuses', function () {
  this.timeout(30_000);

  const app = useTestApp('postgres+redis');

  async function group(chat: { code: string; host: ApiClient }, content: string): Promise<SendGroup> {
    const session = (await app().app.tokens.verifySession(chat.host.token!)) as SessionClaims;
    return {
      chat: await app().app.chat.store.chatRef(chat.code),
      channel: 'main',
      sends: [{ session, input: { content, channel: 'main' } }],
    };
  }

  it('fails only the group holding it: the other chats of the statement are stored and numbered', async () => {
    const t = app();
    // Input validation refuses U+0000 at the edge; this is the commit's own line of defence.
    const [bad, good1, good2] = await Promise.all([chatWithHost(t.base), chatWithHost(t.base), chatWithHost(t.base)]);
    const commit = new PgSendCommit(rawPg(t.app.orm)!, new OrmSendCommit(t.app.chat.store));

    const results = await commit.commit([
      await group(good1, 'before it'),
      await group(bad, 'nul \u0000 inside'),
      await group(good2, 'after it'),
    ]);

    expect(results[1]).to.have.property('error');
    for (const [i, chat, content] of [
      [0, good1, 'before it'],
      [2, good2, 'after it'],
    ] as const) {
      const stored = results[i] as CommittedBatch;
      expect(stored.sends.map((s) => [s.message.seq, s.message.content])).to.deep.equal([[1, content]]);
      const page = await chat.host.get(`/api/chats/${chat.code}/messages`);
      expect(page.body.messages.map((m: { content: string }) => m.content)).to.deep.equal([content]);
    }
    expect((await bad.host.get(`/api/chats/${bad.code}/messages`)).body.messages).to.deep.equal([]);
  });

  it('per chat (a database distributed by chat): one statement per chat, each chat channel numbered contiguously in arrival order', async () => {
    const t = app();
    const [a, b] = await Promise.all([chatWithHost(t.base), chatWithHost(t.base)]);
    const commit = new PgSendCommit(rawPg(t.app.orm)!, new OrmSendCommit(t.app.chat.store), true);
    const backroom = { ...(await group(a, 'a back')), channel: 'backroom' as const };
    backroom.sends[0].input = { content: 'a back', channel: 'backroom' };
    const a1 = await group(a, 'a1');
    a1.sends.push({ ...a1.sends[0], input: { content: 'a2', channel: 'main' } });

    const results = (await commit.commit([a1, await group(b, 'b1'), backroom, await group(a, 'a3')])) as CommittedBatch[];

    const firstChat = results[0].sends[0].message.chatId;
    const shapes = results.map((r) => r.sends.map(({ message: m }) => [m.chatId === firstChat, m.channel, m.seq, m.version]));
    expect(shapes).to.deep.equal([
      [
        [true, 'main', 1, 1],
        [true, 'main', 2, 2],
      ],
      [[false, 'main', 1, 1]],
      [[true, 'backroom', 1, 3]],
      [[true, 'main', 3, 4]],
    ]);
    const page = await a.host.get(`/api/chats/${a.code}/messages`);
    expect(page.body.messages.map((m: { content: string }) => m.content)).to.deep.equal(['a3', 'a2', 'a1']);
  });
});
