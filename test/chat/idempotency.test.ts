import { expect } from 'chai';
import type { SessionClaims } from '../../src/auth/tokens';
import { OrmSendCommit, type CommittedBatch, type SendCommit } from '../../src/chat/send-commit';
import { PgSendCommit } from '../../src/chat/pg-send-commit';
import { rawPg } from '../../src/db';
import { ApiClient, chatWithHost, guest, STACKS, startTestApp, useTestApp } from '../support';
import { connect } from '../support/sockets';
import { descending, scrollAll } from './pages';

// Issue #22, integrity: client_id is idempotent per sender and channel (contract, message:send).
for (const stackName of STACKS) {
  describe(`client_id idempotency per sender and channel (${stackName})`, function () {
    this.timeout(60_000);
    // many sends from one participant in the retry race
    const app = useTestApp(stackName, { SEND_RATE_LIMIT: '100000' });

    const contents = async (client: ApiClient, code: string) =>
      (await client.get(`/api/chats/${code}/messages`)).body.messages.map((m: { content: string }) => m.content);

    it("stores a non-member's send whose client_id the host used in the back room, and answers it with their own message", async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const secret = await host.post(`/api/chats/${code}/messages`, {
        content: 'back-room plans',
        client_id: 'msg-1001',
        channel: 'backroom',
      });
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
      const theirs = await host.post(`/api/chats/${code}/messages`, {
        content: 'back-room plans',
        client_id: 'sock-1',
        channel: 'backroom',
      });
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
      const [hostSession, anonSession] = (await Promise.all(
        [host, anon].map((c) => t.app.tokens.verifySession(c.token!)),
      )) as SessionClaims[];
      const pg = rawPg(t.app.orm);
      const orm = new OrmSendCommit(t.app.chat.store);
      const commit: SendCommit = pg ? new PgSendCommit(pg, orm) : orm;
      const send = (session: SessionClaims, content: string) => ({
        session,
        input: { content, client_id: 'batch-1', channel: 'main' as const },
      });

      const [result] = await commit.commit([
        {
          chat: await t.app.chat.store.chatRef(code),
          channel: 'main',
          sends: [send(hostSession, 'from the host'), send(anonSession, 'from a guest'), send(anonSession, 'guest again')],
        },
      ]);

      const sends = (result as CommittedBatch).sends;
      expect(sends.map((s) => [s.message.content, s.duplicate])).to.deep.equal([
        ['from the host', false],
        ['from a guest', false],
        ['from a guest', true],
      ]);
      expect(await contents(host, code)).to.deep.equal(['from a guest', 'from the host']);
    });

    it('returns the stored message for a repeated client_id and stores it once', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const sends = await Promise.all(
        Array.from({ length: 5 }, () => host.post(`/api/chats/${code}/messages`, { content: 'once', client_id: 'retry-1' })),
      );
      const ids = new Set(sends.map((r) => r.body.id));
      expect(ids.size).to.equal(1);
      expect(sends.filter((r) => r.status === 201)).to.have.length(1);
      const page = await host.get(`/api/chats/${code}/messages`);
      expect(page.body.messages).to.have.length(1);
    });

    if (stackName === 'postgres+redis') {
      it('stores each client_id once when retries on two servers race fresh sends, with seqs still contiguous', async () => {
        const t = app();
        const other = await startTestApp(t.stack, { MESSAGE_CACHE_MAX_COUNT: '100', SEND_RATE_LIMIT: '100000' });
        try {
          // Registered on the second server: this file's hosts have used up the first one's register limit.
          const { code, host: onOther } = await chatWithHost(other.base);
          const host = new ApiClient(t.base, onOther.token);
          // 40 client_ids, each sent three times (twice here, once there) among 40 sends without one.
          const sends = Array.from({ length: 40 }, (_, i) => [
            host.post(`/api/chats/${code}/messages`, { content: `retry ${i}`, client_id: `cid-${i}` }),
            onOther.post(`/api/chats/${code}/messages`, { content: `retry ${i}`, client_id: `cid-${i}` }),
            host.post(`/api/chats/${code}/messages`, { content: `retry ${i}`, client_id: `cid-${i}` }),
            onOther.post(`/api/chats/${code}/messages`, { content: `plain ${i}` }),
          ]).flat();
          const answers = await Promise.all(sends);
          for (const a of answers) expect([200, 201], JSON.stringify(a.body)).to.include(a.status);
          for (let i = 0; i < 40; i++) {
            const same = answers.slice(i * 4, i * 4 + 3);
            expect(new Set(same.map((a) => a.body.id)).size, `cid-${i}`).to.equal(1);
            expect(
              same.filter((a) => a.status === 201),
              `cid-${i}`,
            ).to.have.length(1);
          }
          const { seqs } = await scrollAll(host, code, 100);
          expect(seqs).to.deep.equal(descending(80));
        } finally {
          await other.close();
        }
      });
    }
  });
}
