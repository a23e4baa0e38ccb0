import { expect } from 'chai';
import { keys } from '../../src/cache';
import { RedisEngine } from '../../src/cache';
import { ApiClient, chatWithHost, guest, STACKS, startTestApp, useTestApp } from '../support';
import { joinAs, registerUser } from '../support/users';
import { descending, scrollAll, sendMany } from './pages';

for (const stackName of STACKS) {
  describe(`history on ${stackName}`, function () {
    this.timeout(60_000);
    const app = useTestApp(stackName, { MESSAGE_CACHE_MAX_COUNT: '100', SEND_RATE_LIMIT: '100000' });

    it('scrolls back 130 sends as seq 130..1 with no gap, from a window of exactly MESSAGE_CACHE_MAX_COUNT', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      await sendMany(host, code, 130);
      const { seqs, sources } = await scrollAll(host, code, 30);
      expect(seqs).to.deep.equal(descending(130));
      expect(sources[0]).to.equal('cache');
      expect(sources.at(-1)).to.equal('db'); // below the 100-message window
      const info = await t.app.cache.windowInfo(code, 'main');
      expect(info).to.include({ count: 100, minSeq: 31, maxSeq: 130 });
      expect(info.ttlSeconds)
        .to.be.greaterThan(0)
        .and.at.most(24 * 3600);
    });

    it('answers a page that straddles the window from cache and database as hybrid', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      await sendMany(host, code, 110, 10);
      const res = await host.get(`/api/chats/${code}/messages?limit=20&before=21`);
      expect(res.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal(descending(20));
      const straddle = await host.get(`/api/chats/${code}/messages?limit=20&before=21`.replace('before=21', 'before=20'));
      expect(straddle.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal(descending(19));
      const mixed = await host.get(`/api/chats/${code}/messages?limit=10&before=16`);
      expect(mixed.body.source).to.equal('hybrid');
      expect(mixed.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal(descending(15, 6));
    });

    it('gives a page below the window the current last seq and messages: a send and an edit since the last read show', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      await sendMany(host, code, 130, 10);
      const path = `/api/chats/${code}/messages?limit=10&before=21`;
      const first = await host.get(path);
      expect(first.body).to.include({ source: 'db', last_seq: 130, has_more: true, next_before: 11 });
      expect(first.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal(descending(20, 11));
      await sendMany(host, code, 1);
      const edited = first.body.messages[0] as { id: string };
      expect((await host.patch(`/api/chats/${code}/messages/${edited.id}`, { content: 'edited deep down' })).status).to.equal(200);
      const again = await host.get(path);
      expect(again.body).to.include({ source: 'db', last_seq: 131, has_more: true, next_before: 11 });
      expect(again.body.messages[0]).to.include({ seq: 20, content: 'edited deep down' });
      expect(again.body.messages.slice(1)).to.deep.equal(first.body.messages.slice(1));
    });

    it('catches up oldest first with after, and reports has_more until the end', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      await sendMany(host, code, 12, 4);
      const first = await host.get(`/api/chats/${code}/messages?after=0&limit=5`);
      expect(first.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([1, 2, 3, 4, 5]);
      expect(first.body).to.include({ has_more: true, next_after: 5 });
      const last = await host.get(`/api/chats/${code}/messages?after=10&limit=5`);
      expect(last.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([11, 12]);
      expect(last.body.has_more).to.equal(false);
    });

    it('gives 200 concurrent sends to one chat seq 1..200 with no duplicate and no hole', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const seqs = await sendMany(host, code, 200, 200);
      expect([...seqs].sort((a, b) => a - b)).to.deep.equal(descending(200).reverse());
      const { seqs: history } = await scrollAll(host, code, 200);
      expect(history).to.deep.equal(descending(200));
    });

    it('keeps a deleted message as a tombstone so seq stays contiguous, and shows edits', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      const [a, b] = [
        await host.post(`/api/chats/${code}/messages`, { content: 'first' }),
        await host.post(`/api/chats/${code}/messages`, { content: 'second' }),
      ];
      const edited = await host.patch(`/api/chats/${code}/messages/${a.body.id}`, { content: 'first, edited' });
      expect(edited.status).to.equal(200);
      expect(edited.body.version).to.be.greaterThan(b.body.version);
      const deleted = await host.delete(`/api/chats/${code}/messages/${b.body.id}`);
      expect(deleted.body).to.include({ deleted: true, content: '' });
      const page = await host.get(`/api/chats/${code}/messages`);
      expect(page.body.source).to.equal('cache');
      expect(
        page.body.messages.map((m: { seq: number; content: string; deleted: boolean }) => [m.seq, m.content, m.deleted]),
      ).to.deep.equal([
        [2, '', true],
        [1, 'first, edited', false],
      ]);
    });

    it('serves a message from the database exactly as from the cache: reply, reaction, pin, edit, delete, both kinds of author', async () => {
      const t = app();
      // A registered author stored directly: this suite's other tests use up the registration rate limit.
      const owner = await registerUser(t, 'author');
      const { code } = (await owner.api.post('/api/chats', { name: 'Every field' })).body;
      const host = await joinAs(owner, code);
      const anon = await guest(t.base, code);
      const first = await host.post(`/api/chats/${code}/messages`, { content: 'from a registered user' });
      const reply = await anon.post(`/api/chats/${code}/messages`, { content: 'an anonymous reply', reply_to: first.body.id });
      const gone = await anon.post(`/api/chats/${code}/messages`, { content: 'deleted soon' });
      expect((await anon.post(`/api/chats/${code}/messages/${first.body.id}/reactions`, { emoji: '🎉' })).status).to.equal(200);
      expect(
        (await host.post(`/api/chats/${code}/messages/${first.body.id}/pin`, { amount_cents: 300, duration_minutes: 30 })).status,
      ).to.equal(200);
      expect((await anon.patch(`/api/chats/${code}/messages/${reply.body.id}`, { content: 'an edited reply' })).status).to.equal(200);
      expect((await anon.delete(`/api/chats/${code}/messages/${gone.body.id}`)).status).to.equal(200);
      const cached = await host.get(`/api/chats/${code}/messages?limit=3&before=4`);
      expect(cached.body.source).to.equal('cache');
      await sendMany(host, code, 100, 10); // the three leave the 100-message window
      const stored = await host.get(`/api/chats/${code}/messages?limit=3&before=4`);
      expect(stored.body.source).to.equal('db');
      expect(stored.body.messages).to.deep.equal(cached.body.messages);
      expect(stored.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([3, 2, 1]);
      expect(stored.body.messages[2]).to.include({ username_is_reserved: true, is_pinned: true, pin_amount_cents: 300 });
      expect(stored.body.messages[2].reactions).to.deep.equal({ '🎉': 1 });
      expect(stored.body.messages[1]).to.include({
        username_is_reserved: false,
        user_id: null,
        reply_to: first.body.id,
        content: 'an edited reply',
      });
      expect(stored.body.messages[1].edited_at).to.be.a('string');
      expect(stored.body.messages[0]).to.include({ deleted: true, content: '' });
    });

    if (stackName === 'postgres+redis') {
      it('stores windows under the contract keys, hash-tagged by chat code', async () => {
        const t = app();
        const { code, host } = await chatWithHost(t.base);
        await host.post(`/api/chats/${code}/messages`, { content: 'hi' });
        const client = (t.app.cache as RedisEngine).client;
        expect(keys.window(code, 'main')).to.equal(`chat:{${code}}:messages`);
        expect(await client.zcard(`chat:{${code}}:messages`)).to.equal(1);
        const [member] = await client.zrange(`chat:{${code}}:messages`, 0, -1);
        expect(JSON.parse(member)).to.include({ seq: 1, content: 'hi', chat_code: code });
      });

      it('serves a first page it keeps only while current: a message sent on another server shows at once, an edit there promptly', async () => {
        const t = app();
        const other = await startTestApp(t.stack, { MESSAGE_CACHE_MAX_COUNT: '100', SEND_RATE_LIMIT: '100000' });
        try {
          const { code, host: there } = await chatWithHost(other.base);
          const here = new ApiClient(t.base, there.token);
          for (const text of ['one', 'two', 'three'])
            expect((await there.post(`/api/chats/${code}/messages`, { content: text })).status).to.equal(201);
          const first = async () => (await here.get(`/api/chats/${code}/messages?limit=50`)).body;
          expect((await first()).messages.map((m: { content: string }) => m.content)).to.deep.equal(['three', 'two', 'one']);

          expect((await there.post(`/api/chats/${code}/messages`, { content: 'four' })).status).to.equal(201);
          const afterSend = await first();
          expect(
            afterSend.messages.map((m: { seq: number }) => m.seq),
            'acked on the other server, so in the cache',
          ).to.deep.equal([4, 3, 2, 1]);
          expect(afterSend.source).to.equal('cache');

          const two = afterSend.messages[2];
          expect((await there.patch(`/api/chats/${code}/messages/${two.id}`, { content: 'two, edited there' })).status).to.equal(200);
          const deadline = Date.now() + 5000;
          while ((await first()).messages[2].content !== 'two, edited there') {
            expect(Date.now(), 'the edit on the other server shows here').to.be.below(deadline);
            await new Promise((r) => setTimeout(r, 20));
          }
          const three = afterSend.messages[1];
          expect((await here.patch(`/api/chats/${code}/messages/${three.id}`, { content: 'three, edited here' })).status).to.equal(200);
          expect((await first()).messages[1].content, 'an edit on this server shows at once').to.equal('three, edited here');
        } finally {
          await other.close();
        }
      });

      it('numbers concurrent sends to many chats and both channels, shared statements and two servers alike: each channel contiguous, each version once', async () => {
        const t = app();
        const other = await startTestApp(t.stack, { MESSAGE_CACHE_MAX_COUNT: '100', SEND_RATE_LIMIT: '100000' });
        try {
          const chats = await Promise.all(Array.from({ length: 5 }, () => chatWithHost(other.base)));
          const sends = chats.flatMap(({ code, host }) => {
            const here = new ApiClient(t.base, host.token);
            return Array.from({ length: 40 }, (_, i) =>
              (i % 2 ? host : here).post(`/api/chats/${code}/messages`, { content: `m${i}`, channel: i % 4 === 3 ? 'backroom' : 'main' }),
            );
          });
          for (const res of await Promise.all(sends)) expect(res.status, JSON.stringify(res.body)).to.equal(201);
          for (const { code, host } of chats) {
            const main = (await host.get(`/api/chats/${code}/messages?limit=100`)).body.messages;
            const back = (await host.get(`/api/chats/${code}/backroom/messages?limit=100`)).body.messages;
            expect(main.map((m: { seq: number }) => m.seq)).to.deep.equal(descending(30));
            expect(back.map((m: { seq: number }) => m.seq)).to.deep.equal(descending(10));
            const versions = [...main, ...back].map((m: { version: number }) => m.version).sort((a, b) => a - b);
            expect(versions, `${code}: one version per message`).to.deep.equal(descending(40).reverse());
          }
        } finally {
          await other.close();
        }
      });
    }
  });
}
