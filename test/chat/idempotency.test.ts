import { expect } from 'chai';
import type { SessionClaims } from '../../src/auth/tokens';
import { OrmSendCommit, type CommittedBatch, type SendCommit } from '../../src/chat/send-commit';
import { PgSendCommit } from '../../src/chat/pg-send-commit';
import { rawPg } from '../../src/db';
import { chatWithHost, guest, STACKS, useTestApp, type ApiClient } from '../support';
import { connect } from '../realtime/helpers';

// Issue #22, integrity: client_id is idempotent per sender and channel (contract, message:send).
for (const stackName of STACKS) {
  describe(`client_id idempotency per sender and channel (${stackName})`, function () {
    this.timeout(30_000);
    const app = useTestApp(stackName);

    const contents = async (client: ApiClient, code: string) =>
      (await client.get(`/api/chats/${code}/messages`)).body.messages.map((m: { content: string }) => m.content);

    it("stores a non-member's send whose client_id the host used in the back room, and answers it with their own message", async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const secret = await host.post(`/api/chats/${code}/messages`, { content: 'back-room plans', client_id: 'msg-1001', channel: 'backroom' });
      expect(secret.status).to.equal(201);
      const anon = await guest(t.base, code);

      const res = await anon.post(`/api/chats/${code}/messages`, { content: 'hello', client_id: 'msg-1001' });

      expect(res.status).to.equal(201);
      expect(res.body).to.include({ content: 'hello', channel: 'main', seq: 1 });
      expect(res.body.id).to.not.equal(secret.body.id);
      expect(await contents(anon, code)).to.deep.equal(['hello']);
      // Their own repeat answers their own message, as before.
      const again = await anon.post(`/api/chats/${code}/messages`, { content: 'hello', client_id: 'msg-1001' });
      expect([again.status, again.body.id]).to.deep.equal([200, res.body.id]);
    });

    it("cannot pre-empt another participant's client_id: both sends are stored", async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const anon = await guest(t.base, code);
      const first = await anon.post(`/api/chats/${code}/messages`, { content: 'squatting', client_id: 'c-7' });
      const second = await host.post(`/api/chats/${code}/messages`, { content: 'the host speaks', client_id: 'c-7' });
      expect([first.status, second.status]).to.deep.equal([201, 201]);
      expect(second.body).to.include({ content: 'the host speaks', seq: 2 });
      expect(await contents(host, code)).to.deep.equal(['the host speaks', 'squatting']);
    });

    it('keys a client_id per channel: the same sender may use it in the main channel and the back room', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const main = await host.post(`/api/chats/${code}/messages`, { content: 'to all', client_id: 'c-1' });
      const back = await host.post(`/api/chats/${code}/messages`, { content: 'to the back room', client_id: 'c-1', channel: 'backroom' });
      expect([main.status, back.status]).to.deep.equal([201, 201]);
      expect(back.body).to.include({ content: 'to the back room', channel: 'backroom', seq: 1 });
    });

    it("socket message:send follows the same rule: another's client_id is not answered with their message", async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const theirs = await host.post(`/api/chats/${code}/messages`, { content: 'back-room plans', client_id: 'sock-1', channel: 'backroom' });
      const anon = await guest(t.base, code);
      const socket = await connect(t.base, anon.token);
      try {
        const ack = await socket.timeout(10_000).emitWithAck('message:send', { code, content: 'hi there', client_id: 'sock-1' });
        expect(ack.ok).to.equal(true);
        if (!ack.ok) return;
        expect(ack.message).to.include({ content: 'hi there', channel: 'main' });
        expect(ack.message.id).to.not.equal(theirs.body.id);
      } finally {
        socket.close();
      }
    });

    it('a batch holding one client_id from two senders stores both, and one sender twice once', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const anon = await guest(t.base, code);
      const [
        hostSession,
        anonSession,
      ] = (await Promise.all([host, anon].map((c) => t.app.tokens.verifySession(c.token!)))) as SessionClaims[];
      const pg = rawPg(t.app.orm);
      const orm = new OrmSendCommit(t.app.chat.store);
      const commit: SendCommit = pg ? new PgSendCommit(pg, orm) : orm;
      const send = (session: SessionClaims, content: string) => ({ session, input: { content, client_id: 'batch-1', channel: 'main' as const } });

      const [result] = await commit.commit([
        { chat: await t.app.chat.store.chatRef(code), channel: 'main', sends: [send(hostSession, 'from the host'), send(anonSession, 'from a guest'), send(anonSession, 'guest again')] },
      ]);

      const sends = (result as CommittedBatch).sends;
      expect(sends.map((s) => [s.message.content, s.duplicate])).to.deep.equal([
        ['from the host', false],
        ['from a guest', false],
        ['from a guest', true],
      ]);
      expect(await contents(host, code)).to.deep.equal(['from a guest', 'from the host']);
    });
  });
}
