import { expect } from 'chai';
import { Chat, Participant } from '../../src/domain';
import { ApiClient, STACKS, chatWithHost, guest, uniqueName, useTestApp } from '../support';
import { converse, expectError, joinAs, registerUser, send, unread, type TestUser } from '../support/users';

for (const stack of STACKS) {
  describe(`users, conversations and unread counts (${stack})`, function () {
    this.timeout(60_000);

    const app = useTestApp(stack, { SEND_RATE_LIMIT: '100000' });

    const em = () => app().app.orm.em.fork();

    describe('POST /api/conversations', () => {
      it('opens one direct chat per pair, whichever side asks', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const first = await a.api.post('/api/conversations', { with: b.username });
        expect(first.status, JSON.stringify(first.body)).to.equal(201);
        expect(first.body).to.include({ kind: 'direct', created: true });
        expect(first.body.code).to.match(/^[A-Z0-9]{8}$/);
        expect(first.body.partner).to.deep.equal({ id: b.id, username: b.username });

        const again = await b.api.post('/api/conversations', { with: a.username.toUpperCase() });
        expect(again.status).to.equal(200);
        expect(again.body).to.include({ code: first.body.code, created: false });
        expect(again.body.partner).to.deep.equal({ id: a.id, username: a.username });
      });

      it('creates the chat once under 20 concurrent calls from both sides', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            i % 2 ? a.api.post('/api/conversations', { with: b.username }) : b.api.post('/api/conversations', { with: a.username }),
          ),
        );
        for (const r of results) expect(r.status, JSON.stringify(r.body)).to.be.oneOf([200, 201]);
        expect(new Set(results.map((r) => r.body.code)).size).to.equal(1);
        expect(results.filter((r) => r.status === 201)).to.have.length(1);

        const directKey = [a.id, b.id].sort().join(':');
        const chats = await em().find(Chat, { directKey });
        expect(chats).to.have.length(1);
        const members = await em().find(Participant, { chatId: chats[0].id }, { orderBy: { username: 'asc' } });
        expect(members.map((p) => [p.username, p.userId])).to.have.deep.members([
          [a.username, a.id],
          [b.username, b.id],
        ]);
      });

      it('makes both users participants under their reserved names', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const join = await b.api.post(`/api/chats/${code}/join`, { username: b.username });
        expect(join.status, JSON.stringify(join.body)).to.equal(200);
        expect(join.body.participant).to.include({ username: b.username, username_is_reserved: true, user_id: b.id });
        const members = await em().find(Participant, { chatId: (await em().findOneOrFail(Chat, { code })).id });
        expect(members).to.have.length(2);
      });
    });

    describe('reserved names', () => {
      it('refuses a registered name to a guest and to other users, in group and direct chats', async () => {
        const t = app();
        const [a, b, c] = [await registerUser(t, 'a'), await registerUser(t, 'b'), await registerUser(t, 'c')];
        const group = await chatWithHost(t.base);
        expectError(await new ApiClient(t.base).post(`/api/chats/${group.code}/join`, { username: a.username }), 403, 'forbidden');
        expectError(await c.api.post(`/api/chats/${group.code}/join`, { username: a.username }), 403, 'forbidden');
        const own = await a.api.post(`/api/chats/${group.code}/join`, { username: a.username });
        expect(own.status).to.equal(200);
        expect(own.body.participant.username_is_reserved).to.equal(true);

        const direct = await converse(a, b);
        expectError(await new ApiClient(t.base).post(`/api/chats/${direct}/join`, { username: b.username }), 403, 'forbidden');
        expectError(await c.api.post(`/api/chats/${direct}/join`, { username: c.username }), 403, 'forbidden');
        expectError(await new ApiClient(t.base).post(`/api/chats/${direct}/join`, { username: uniqueName('anon') }), 403, 'forbidden');
      });

      it('marks messages sent under a reserved name', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const msg = await (await joinAs(a, code)).post(`/api/chats/${code}/messages`, { content: 'hello' });
        expect(msg.body).to.include({ username: a.username, username_is_reserved: true, user_id: a.id });
      });
    });

    describe('read markers and unread counts', () => {
      it('counts unread through sends and reads, across chats', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
        expect(await unread(b)).to.equal(0);
        for (const text of ['one', 'two', 'three']) await send(sa, code, text);
        expect(await unread(b)).to.equal(3);

        const read = await sb.post(`/api/chats/${code}/read`, { seq: 2 });
        expect(read.status, JSON.stringify(read.body)).to.equal(200);
        expect(read.body).to.deep.equal({ chat_code: code, last_read_seq: 2, last_seq: 3, unread: 1 });
        expect(await unread(b)).to.equal(1);

        await send(sa, code, 'four');
        expect(await unread(b)).to.equal(2);

        // A group chat adds its own unread messages to the total.
        const group = await chatWithHost(t.base);
        await joinAs(b, group.code);
        await send(group.host, group.code, 'group news');
        expect(await unread(b)).to.equal(3);

        await sb.post(`/api/chats/${code}/read`, { seq: 4 });
        expect(await unread(b)).to.equal(1);
      });

      it('never counts the user’s own messages as unread: in the total, the list and the read marker’s answer', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
        await send(sa, code, 'from a');
        await send(sb, code, 'from b');
        await send(sa, code, 'from a again');
        expect(await unread(a)).to.equal(1);
        expect(await unread(b)).to.equal(2);
        const list = await a.api.get('/api/me/conversations');
        expect(list.body.conversations[0]).to.include({ code, unread: 1 });
        const read = await sa.post(`/api/chats/${code}/read`, { seq: 1 });
        expect(read.body).to.deep.equal({ chat_code: code, last_read_seq: 1, last_seq: 3, unread: 1 });
        expect((await sb.post(`/api/chats/${code}/read`, { seq: 1 })).body).to.include({ unread: 1 });
      });

      it('never lowers a marker', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
        for (const text of ['one', 'two', 'three']) await send(sa, code, text);
        expect((await sb.post(`/api/chats/${code}/read`, { seq: 3 })).body.last_read_seq).to.equal(3);
        const lower = await sb.post(`/api/chats/${code}/read`, { seq: 1 });
        expect(lower.status).to.equal(200);
        expect(lower.body).to.include({ last_read_seq: 3, unread: 0 });
        expect(await unread(b)).to.equal(0);
      });

      it('keeps concurrent markers at the highest seq', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
        for (let i = 1; i <= 10; i++) await send(sa, code, `m${i}`);
        await Promise.all([5, 10, 1, 7, 3, 9, 2].map((seq) => sb.post(`/api/chats/${code}/read`, { seq })));
        const p = await em().findOneOrFail(Participant, { userId: b.id, chatId: (await em().findOneOrFail(Chat, { code })).id });
        expect(p.lastReadSeq).to.equal(10);
        expect(await unread(b)).to.equal(0);
      });

      it('works for anonymous participants too (no user cache involved)', async () => {
        const t = app();
        const group = await chatWithHost(t.base);
        const anon = await guest(t.base, group.code);
        await send(group.host, group.code, 'one');
        await send(group.host, group.code, 'two');
        const res = await anon.post(`/api/chats/${group.code}/read`, { seq: 1 });
        expect(res.body).to.deep.equal({ chat_code: group.code, last_read_seq: 1, last_seq: 2, unread: 1 });
      });
    });

    describe('GET /api/me/conversations', () => {
      async function listOf(u: TestUser) {
        const res = await u.api.get('/api/me/conversations');
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        return res.body.conversations as {
          code: string;
          kind: string;
          name: string;
          partner: { id: string; username: string } | null;
          unread: number;
          last_message: { preview: string | null; deleted: boolean; seq: number; username: string } | null;
        }[];
      }

      it('orders chats by their latest message, newest first, with partners, previews and unread', async () => {
        const t = app();
        const [a, b, c] = [await registerUser(t, 'a'), await registerUser(t, 'b'), await registerUser(t, 'c')];
        const group = await chatWithHost(t.base);
        const sg = await joinAs(a, group.code);
        const ab = await converse(a, b);
        const ac = await converse(a, c);
        const [sb, sc] = [await joinAs(b, ab), await joinAs(c, ac)];

        await send(group.host, group.code, 'in the group');
        await send(sb, ab, 'from b');
        await send(sc, ac, 'from c');
        let list = await listOf(a);
        expect(list.map((x) => x.code)).to.deep.equal([ac, ab, group.code]);
        expect(list[0]).to.include({ kind: 'direct', unread: 1 });
        expect(list[0].partner).to.deep.equal({ id: c.id, username: c.username });
        expect(list[0].last_message).to.include({ preview: 'from c', username: c.username, seq: 1, deleted: false });
        expect(list[2]).to.include({ kind: 'group', partner: null, unread: 1 });

        await send(sg, group.code, 'a speaks in the group');
        list = await listOf(a);
        expect(list.map((x) => x.code)).to.deep.equal([group.code, ac, ab]);
        expect(list[0].last_message!.preview).to.equal('a speaks in the group');
        expect(list[0].unread).to.equal(1); // a's own message is not unread to a
      });

      it('shows a deleted last message without its content', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        const code = await converse(a, b);
        const sa = await joinAs(a, code);
        const m = await send(sa, code, 'regrettable');
        expect((await listOf(b))[0].last_message!.preview).to.equal('regrettable');
        expect((await sa.delete(`/api/chats/${code}/messages/${m.id}`)).status).to.equal(200);
        expect((await listOf(b))[0].last_message).to.include({ preview: null, deleted: true, seq: 1 });
      });

      it('shows a new conversation and a newly joined chat at once', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        expect(await listOf(a)).to.deep.equal([]);
        const code = await converse(b, a);
        expect((await listOf(a)).map((x) => x.code)).to.deep.equal([code]);
        const group = await chatWithHost(t.base);
        await joinAs(a, group.code);
        expect((await listOf(a)).map((x) => x.code)).to.have.members([code, group.code]);
      });
    });

    describe('profiles', () => {
      it('reads a profile by token and by username; a letter-case change shows everywhere at once', async () => {
        const t = app();
        const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
        await converse(b, a);
        expect((await a.api.get('/api/me')).body).to.include({ id: a.id, username: a.username });
        expect((await b.api.get(`/api/users/${a.username}`)).body).to.include({ id: a.id, username: a.username });
        expect((await b.api.get('/api/me/conversations')).body.conversations[0].partner.username).to.equal(a.username);

        const shouted = a.username.toUpperCase();
        const res = await a.api.patch('/api/me', { display_name: shouted });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        expect(res.body.username).to.equal(shouted);
        expect((await a.api.get('/api/me')).body.username).to.equal(shouted);
        expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(shouted);
        expect((await b.api.get('/api/me/conversations')).body.conversations[0].partner.username).to.equal(shouted);
      });
    });
  });
}
