import { expect } from 'chai';
import { keys } from '../../src/cache';
import { RedisEngine } from '../../src/cache';
import { ApiClient, chatWithHost, guest, STACKS, startStack, startTestApp, type TestApp } from '../support';
import { joinAs, registerUser } from '../users/helpers';

/** Every page of `before` scrollback from the newest to seq 1, newest first. */
async function scrollAll(api: ApiClient, code: string, limit: number) {
  const seqs: number[] = [];
  const sources: string[] = [];
  let path = `/api/chats/${code}/messages?limit=${limit}`;
  for (;;) {
    const res = await api.get(path);
    expect(res.status).to.equal(200);
    seqs.push(...res.body.messages.map((m: { seq: number }) => m.seq));
    sources.push(res.body.source);
    if (!res.body.has_more) break;
    path = `/api/chats/${code}/messages?limit=${limit}&before=${res.body.next_before}`;
  }
  return { seqs, sources };
}

const descending = (from: number, to = 1) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

async function sendMany(host: ApiClient, code: string, count: number, concurrency = 1) {
  const results: number[] = [];
  for (let i = 0; i < count; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - i) }, (_, j) =>
      host.post(`/api/chats/${code}/messages`, { content: `message ${i + j + 1}` }),
    );
    for (const res of await Promise.all(batch)) {
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      results.push(res.body.seq);
    }
  }
  return results;
}

/** A chat and its host's session, without the register route (this suite uses up its rate limit). */
async function hostedChat(t: TestApp, name: string): Promise<{ code: string; host: ApiClient }> {
  const owner = await registerUser(t, 'host');
  const { code } = (await owner.api.post('/api/chats', { name })).body;
  return { code, host: await joinAs(owner, code) };
}

for (const stackName of STACKS) {
  describe(`history on ${stackName}`, function () {
    this.timeout(60_000);
    let t: TestApp;

    before(async () => {
      t = await startTestApp(await startStack(stackName), { MESSAGE_CACHE_MAX_COUNT: '100', SEND_RATE_LIMIT: '100000' });
    });
    after(async () => {
      await t.close();
      await t.stack.dispose();
    });

    it('scrolls back 130 sends as seq 130..1 with no gap, from a window of exactly MESSAGE_CACHE_MAX_COUNT', async () => {
      const { code, host } = await chatWithHost(t.base);
      await sendMany(host, code, 130);
      const { seqs, sources } = await scrollAll(host, code, 30);
      expect(seqs).to.deep.equal(descending(130));
      expect(sources[0]).to.equal('cache');
      expect(sources.at(-1)).to.equal('db'); // below the 100-message window
      const info = await t.app.cache.windowInfo(code, 'main');
      expect(info).to.include({ count: 100, minSeq: 31, maxSeq: 130 });
      expect(info.ttlSeconds).to.be.greaterThan(0).and.at.most(24 * 3600);
    });

    it('answers a page that straddles the window from cache and database as hybrid', async () => {
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

    it('catches up oldest first with after, and reports has_more until the end', async () => {
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
      const { code, host } = await chatWithHost(t.base);
      const seqs = await sendMany(host, code, 200, 200);
      expect([...seqs].sort((a, b) => a - b)).to.deep.equal(descending(200).reverse());
      const { seqs: history } = await scrollAll(host, code, 200);
      expect(history).to.deep.equal(descending(200));
    });

    it('returns the stored message for a repeated client_id and stores it once', async () => {
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

    it('keeps a deleted message as a tombstone so seq stays contiguous, and shows edits', async () => {
      const { code, host } = await chatWithHost(t.base);
      const [a, b] = [await host.post(`/api/chats/${code}/messages`, { content: 'first' }), await host.post(`/api/chats/${code}/messages`, { content: 'second' })];
      const edited = await host.patch(`/api/chats/${code}/messages/${a.body.id}`, { content: 'first, edited' });
      expect(edited.status).to.equal(200);
      expect(edited.body.version).to.be.greaterThan(b.body.version);
      const deleted = await host.delete(`/api/chats/${code}/messages/${b.body.id}`);
      expect(deleted.body).to.include({ deleted: true, content: '' });
      const page = await host.get(`/api/chats/${code}/messages`);
      expect(page.body.source).to.equal('cache');
      expect(page.body.messages.map((m: { seq: number; content: string; deleted: boolean }) => [
        m.seq,
        m.content,
        m.deleted,
      ])).to.deep.equal([
        [2, '', true],
        [1, 'first, edited', false],
      ]);
    });

    it('serves a message from the database exactly as from the cache: reply, reaction, pin, edit, delete, both kinds of author', async () => {
      // A registered author stored directly: this suite's other tests use up the registration rate limit.
      const owner = await registerUser(t, 'author');
      const { code } = (await owner.api.post('/api/chats', { name: 'Every field' })).body;
      const host = await joinAs(owner, code);
      const anon = await guest(t.base, code);
      const first = await host.post(`/api/chats/${code}/messages`, { content: 'from a registered user' });
      const reply = await anon.post(`/api/chats/${code}/messages`, { content: 'an anonymous reply', reply_to: first.body.id });
      const gone = await anon.post(`/api/chats/${code}/messages`, { content: 'deleted soon' });
      expect((await anon.post(`/api/chats/${code}/messages/${first.body.id}/reactions`, { emoji: '🎉' })).status).to.equal(200);
      expect((await host.post(`/api/chats/${code}/messages/${first.body.id}/pin`, { amount_cents: 300, duration_minutes: 30 })).status).to.equal(200);
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
      expect(stored.body.messages[1]).to.include({ username_is_reserved: false, user_id: null, reply_to: first.body.id, content: 'an edited reply' });
      expect(stored.body.messages[1].edited_at).to.be.a('string');
      expect(stored.body.messages[0]).to.include({ deleted: true, content: '' });
    });

    it('counts reactions once per participant and emoji, in the message and the reactions hash', async () => {
      const { code, host } = await chatWithHost(t.base);
      const m = await host.post(`/api/chats/${code}/messages`, { content: 'react to me' });
      const r1 = await host.post(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '👍' });
      const version = (await host.get(`/api/chats/${code}`)).body.version;
      const r2 = await host.post(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '👍' });
      expect(r1.body.reactions).to.deep.equal({ '👍': 1 });
      expect(r2.body.reactions).to.deep.equal({ '👍': 1 });
      const never = await host.delete(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '🎉' });
      expect(never.body.reactions).to.deep.equal({ '👍': 1 });
      // neither changed anything: the chat's change counter (what `changed` on rejoin reads) stays
      expect((await host.get(`/api/chats/${code}`)).body.version).to.equal(version);
      expect(await t.app.cache.readReactions(code, m.body.id)).to.deep.equal({ '👍': 1 });
      const page = await host.get(`/api/chats/${code}/messages`);
      expect(page.body.messages[0].reactions).to.deep.equal({ '👍': 1 });
      const removed = await host.delete(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '👍' });
      expect(removed.body.reactions).to.deep.equal({});
      // a DELETE without a body names the emoji in the query string
      await host.post(`/api/chats/${code}/messages/${m.body.id}/reactions`, { emoji: '🎉' });
      const byQuery = await host.request('DELETE', `/api/chats/${code}/messages/${m.body.id}/reactions?emoji=${encodeURIComponent('🎉')}`);
      expect(byQuery.status, JSON.stringify(byQuery.body)).to.equal(200);
      expect(byQuery.body.reactions).to.deep.equal({});
    });

    it('pins a message until a time and lists active pins from the cache', async () => {
      const { code, host } = await chatWithHost(t.base);
      const m = await host.post(`/api/chats/${code}/messages`, { content: 'pin me' });
      const pinned = await host.post(`/api/chats/${code}/messages/${m.body.id}/pin`, { amount_cents: 500, duration_minutes: 30 });
      expect(pinned.body).to.include({ is_pinned: true, pin_amount_cents: 500 });
      expect(Date.parse(pinned.body.pinned_until) - Date.now()).to.be.within(29 * 60_000, 30 * 60_000);
      const list = await host.get(`/api/chats/${code}/pinned`);
      expect(list.body.source).to.equal('cache');
      expect(list.body.pinned.map((p: { id: string }) => p.id)).to.deep.equal([m.body.id]);
    });

    it('keeps the pinned list as the messages now read: edits and reactions show, a deleted message leaves it', async () => {
      const { code, host } = await hostedChat(t, 'pins');
      const [a, b] = [await host.post(`/api/chats/${code}/messages`, { content: 'first pin' }), await host.post(`/api/chats/${code}/messages`, { content: 'second pin' })];
      for (const m of [a, b]) expect((await host.post(`/api/chats/${code}/messages/${m.body.id}/pin`, { amount_cents: 100, duration_minutes: 30 })).status).to.equal(200);
      await host.patch(`/api/chats/${code}/messages/${a.body.id}`, { content: 'first pin, edited' });
      await host.post(`/api/chats/${code}/messages/${a.body.id}/reactions`, { emoji: '🔥' });
      const deleted = await host.delete(`/api/chats/${code}/messages/${b.body.id}`);
      expect(deleted.body).to.include({ deleted: true, content: '', is_pinned: false, pinned_until: null });

      const list = await host.get(`/api/chats/${code}/pinned`);
      expect(list.body.source).to.equal('cache');
      expect(list.body.pinned).to.have.length(1);
      expect(list.body.pinned[0]).to.include({ id: a.body.id, content: 'first pin, edited' });
      expect(list.body.pinned[0].reactions).to.deep.equal({ '🔥': 1 });
      expect(JSON.stringify(list.body)).not.to.include('second pin');
    });

    it('pins into a pinned set that is not cached by caching every active pin, not the new one alone', async () => {
      const { code, host } = await hostedChat(t, 'pins');
      const [a, b] = [await host.post(`/api/chats/${code}/messages`, { content: 'older pin' }), await host.post(`/api/chats/${code}/messages`, { content: 'newer pin' })];
      await host.post(`/api/chats/${code}/messages/${a.body.id}/pin`, { amount_cents: 100, duration_minutes: 30 });
      await t.app.cache.dropChat(code); // evicted, expired or cleared by an operator
      await host.post(`/api/chats/${code}/messages/${b.body.id}/pin`, { amount_cents: 100, duration_minutes: 60 });
      const list = await host.get(`/api/chats/${code}/pinned`);
      expect(list.body.source).to.equal('cache');
      expect(list.body.pinned.map((p: { id: string }) => p.id)).to.deep.equal([a.body.id, b.body.id]);
    });

    it('keeps the back room to the host and its members', async () => {
      const { code, host } = await chatWithHost(t.base);
      const sent = await host.post(`/api/chats/${code}/messages`, { content: 'staff only', channel: 'backroom' });
      expect(sent.status).to.equal(201);
      expect(sent.body).to.include({ channel: 'backroom', seq: 1 });
      const outsider = await (await import('../support')).guest(t.base, code);
      expect((await outsider.get(`/api/chats/${code}/backroom/messages`)).status).to.equal(403);
      expect((await outsider.post(`/api/chats/${code}/messages`, { content: 'let me in', channel: 'backroom' })).status).to.equal(403);
      const back = await host.get(`/api/chats/${code}/backroom/messages`);
      expect(back.body.messages.map((m: { content: string }) => m.content)).to.deep.equal(['staff only']);
      const main = await host.get(`/api/chats/${code}/messages`);
      expect(main.body.messages).to.have.length(0);
    });

    it('keeps back-room messages out of reach of everyone else: no reactions, no main-channel replies to them', async () => {
      const { code, host } = await hostedChat(t, 'back room');
      const staff = await host.post(`/api/chats/${code}/messages`, { content: 'staff only', channel: 'backroom' });
      const outsider = await guest(t.base, code);
      const react = await outsider.post(`/api/chats/${code}/messages/${staff.body.id}/reactions`, { emoji: '😈' });
      expect(react.status, JSON.stringify(react.body)).to.equal(403);
      expect(react.body.error.code).to.equal('forbidden');
      for (const sender of [outsider, host]) {
        const reply = await sender.post(`/api/chats/${code}/messages`, { content: 'look at this', reply_to: staff.body.id });
        expect(reply.status, JSON.stringify(reply.body)).to.equal(400);
        expect(reply.body.error.code).to.equal('invalid_input');
      }
      expect((await host.get(`/api/chats/${code}/messages`)).body.messages).to.have.length(0);
      // the back room itself still replies and reacts
      const inside = await host.post(`/api/chats/${code}/messages`, { content: 'noted', channel: 'backroom', reply_to: staff.body.id });
      expect(inside.status, JSON.stringify(inside.body)).to.equal(201);
      const own = await host.post(`/api/chats/${code}/messages/${staff.body.id}/reactions`, { emoji: '👍' });
      expect(own.body.reactions).to.deep.equal({ '👍': 1 });
    });

    if (stackName === 'postgres+redis') {
      it('stores windows under the contract keys, hash-tagged by chat code', async () => {
        const { code, host } = await chatWithHost(t.base);
        await host.post(`/api/chats/${code}/messages`, { content: 'hi' });
        const client = (t.app.cache as RedisEngine).client;
        expect(keys.window(code, 'main')).to.equal(`chat:{${code}}:messages`);
        expect(await client.zcard(`chat:{${code}}:messages`)).to.equal(1);
        const [member] = await client.zrange(`chat:{${code}}:messages`, 0, -1);
        expect(JSON.parse(member)).to.include({ seq: 1, content: 'hi', chat_code: code });
      });

      it('serves a first page it keeps only while current: a message sent on another server shows at once, an edit there promptly', async () => {
        const other = await startTestApp(t.stack, { MESSAGE_CACHE_MAX_COUNT: '100', SEND_RATE_LIMIT: '100000' });
        try {
          const { code, host: there } = await chatWithHost(other.base);
          const here = new ApiClient(t.base, there.token);
          for (const text of ['one', 'two', 'three']) expect((await there.post(`/api/chats/${code}/messages`, { content: text })).status).to.equal(201);
          const first = async () => (await here.get(`/api/chats/${code}/messages?limit=50`)).body;
          expect((await first()).messages.map((m: { content: string }) => m.content)).to.deep.equal(['three', 'two', 'one']);

          expect((await there.post(`/api/chats/${code}/messages`, { content: 'four' })).status).to.equal(201);
          const afterSend = await first();
          expect(afterSend.messages.map((m: { seq: number }) => m.seq), 'acked on the other server, so in the cache').to.deep.equal([4, 3, 2, 1]);
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

      it('stores each client_id once when retries on two servers race fresh sends, with seqs still contiguous', async () => {
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
            expect(same.filter((a) => a.status === 201), `cid-${i}`).to.have.length(1);
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
