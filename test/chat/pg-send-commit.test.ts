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
    return { chat: await app().app.chat.store.chatRef(chat.code), channel: 'main', sends: [{ session, input: { content, channel: 'main' } }] };
  }

  it('fails only the group holding it: the other chats of the statement are stored and numbered', async () => {
    const t = app();
    // Input validation refuses U+0000 at the edge; this is the commit's own line of defence.
    const [bad, good1, good2] = await Promise.all([chatWithHost(t.base), chatWithHost(t.base), chatWithHost(t.base)]);
    const commit = new PgSendCommit(rawPg(t.app.orm)!, new OrmSendCommit(t.app.chat.store));

    const results = await commit.commit([await group(good1, 'before it'), await group(bad, 'nul \u0000 inside'), await group(good2, 'after it')]);

    expect(results[1]).to.have.property('error');
    for (const [i, chat, content] of [[0, good1, 'before it'], [2, good2, 'after it']] as const) {
      const stored = results[i] as CommittedBatch;
      expect(stored.sends.map((s) => [s.message.seq, s.message.content])).to.deep.equal([[1, content]]);
      const page = await chat.host.get(`/api/chats/${chat.code}/messages`);
      expect(page.body.messages.map((m: { content: string }) => m.content)).to.deep.equal([content]);
    }
    expect((await bad.host.get(`/api/chats/${bad.code}/messages`)).body.messages).to.deep.equal([]);
  });
});
