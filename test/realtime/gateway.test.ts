import { expect } from 'chai';
import { ApiClient, startStack, startTestApp, type Stack, type TestApp } from '../support';
import {
  chatWithMembers,
  connect,
  connectError,
  Inbox,
  join,
  joinOk,
  range,
  send,
  type ChatSocket,
  type RawSocket,
} from '../support/sockets';

// One pod, in process, on the embedded stack (SQLite + in-memory adapter): what a single
// connection may and may not do. Cross-pod behaviour is in multi-pod.test.ts.
describe('realtime gateway (one pod)', function () {
  let stack: Stack;
  let t: TestApp;
  const sockets: ChatSocket[] = [];

  before(async () => {
    stack = await startStack('sqlite+memory');
    // The file's chats join well over JOIN_RATE_LIMIT's 30 members a minute from this one address.
    t = await startTestApp(stack, { JOIN_RATE_LIMIT: '10000' });
  });
  after(async () => {
    await t?.close();
    await stack?.dispose();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  const open = async (token: string) => {
    const s = await connect(t.base, token);
    sockets.push(s);
    return s;
  };

  describe('handshake', () => {
    it('refuses a connection without a token, saying why', async () => {
      const err = await connectError(t.base, undefined);
      expect(err.data).to.deep.equal({
        code: 'unauthorized',
        message: 'a user or session token is required: connect with auth: { token }',
      });
    });

    it('refuses a forged token and accepts a user token', async () => {
      expect((await connectError(t.base, 'not.a.jwt')).data?.code).to.equal('unauthorized');
      const reg = await new ApiClient(t.base).post('/api/auth/register', { username: `u${Date.now()}`, password: 'correct-horse-1' });
      expect((await open(reg.body.token)).connected).to.equal(true);
    });
  });

  describe('chat:join', () => {
    it('grants a session token’s socket its own chat by code, and another chat only with that chat’s session_token', async () => {
      const a = await chatWithMembers(t.base, 1);
      const b = await chatWithMembers(t.base, 1);
      const s = await open(a.tokens[0]);
      const refused = await join(s, { code: b.code });
      expect(refused).to.deep.include({ ok: false });
      if (!refused.ok) expect(refused.error.code).to.equal('forbidden');
      expect((await join(s, { code: b.code, session_token: a.tokens[0] })).ok).to.equal(false);
      await joinOk(s, { code: a.code });
      await joinOk(s, { code: b.code, session_token: b.tokens[0] });
    });

    it('answers a first join with the chat position and nothing to replay', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 1);
      await new ApiClient(t.base, tokens[0]).post(`/api/chats/${code}/messages`, { content: 'before' });
      const ack = await joinOk(await open(tokens[0]), { code: code.toLowerCase() });
      expect(ack).to.include({ ok: true, last_seq: 1, recovered: true });
      expect(ack.version).to.be.a('number').and.at.least(1);
      expect(ack.missed).to.deep.equal([]);
      expect(ack.changed).to.deep.equal([]);
    });
  });

  describe('chat:join with since_version', () => {
    it('answers recovered: false when more older messages changed than one ack carries', async () => {
      const { code, tokens, hostToken } = await chatWithMembers(t.base, 11);
      // 12 participants × 42 sends: 504 messages, under each one's send limit
      await Promise.all(
        [hostToken, ...tokens].map(async (token) => {
          const api = new ApiClient(t.base, token);
          for (let i = 0; i < 42; i++) expect((await api.post(`/api/chats/${code}/messages`, { content: `m${i}` })).status).to.equal(201);
        }),
      );
      // every message changed after version 0 (its creation): more than the ack's 500
      const all = await joinOk(await open(tokens[0]), { code, since_seq: 504, since_version: 0 });
      expect(all.changed).to.have.length(500);
      expect(all.recovered).to.equal(false);
      const some = await joinOk(await open(tokens[1]), { code, since_seq: 504, since_version: all.version - 10 });
      expect(some.changed).to.have.length(10);
      expect(some.recovered).to.equal(true);
    });
  });

  describe('chat:join again', () => {
    /** Runs `during` while the chat's join read is held up (the widest window a join has). */
    async function rejoinWhile(socket: ChatSocket, code: string, during: () => Promise<unknown>) {
      const store = t.app.chat.store;
      const read = store.chat;
      let entered!: () => void;
      const reading = new Promise<void>((r) => (entered = r));
      store.chat = async (c: string) => {
        entered();
        await new Promise((r) => setTimeout(r, 100));
        return read.call(store, c);
      };
      try {
        const ack = joinOk(socket, { code });
        await reading;
        await during();
        return await ack;
      } finally {
        store.chat = read;
      }
    }

    it('keeps a socket that joins again without since_seq on its live stream: nothing sent meanwhile is lost, main or back room', async () => {
      const { code, tokens, hostToken } = await chatWithMembers(t.base, 1);
      const host = await open(hostToken);
      const inbox = new Inbox(host);
      await joinOk(host, { code });
      const ack = await rejoinWhile(host, code, async () => {
        expect(
          (await new ApiClient(t.base, tokens[0]).post(`/api/chats/${code}/messages`, { content: 'while you joined' })).status,
        ).to.equal(201);
        expect(
          (await new ApiClient(t.base, hostToken).post(`/api/chats/${code}/messages`, { content: 'staff, meanwhile', channel: 'backroom' }))
            .status,
        ).to.equal(201);
      });
      expect(ack).to.include({ last_seq: 1 });
      await inbox.until(() => inbox.messages.length === 2, 'both messages sent during the join');
      expect(inbox.messages.map((m) => [m.channel, m.seq, m.content])).to.have.deep.members([
        ['main', 1, 'while you joined'],
        ['backroom', 1, 'staff, meanwhile'],
      ]);
    });

    it('leaves nothing behind for a socket that disconnects while its join reads', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 1);
      const rooms = () => t.app.realtime.delivery.roomCount;
      const before = rooms();
      const chats = t.app.chat.chats;
      const read = chats.participant;
      let entered!: () => void;
      const reading = new Promise<void>((r) => (entered = r));
      chats.participant = async (session) => {
        entered();
        await new Promise((r) => setTimeout(r, 100));
        return read.call(chats, session);
      };
      try {
        const s = await open(tokens[0]);
        s.emit('chat:join', { code }, () => undefined);
        await reading;
        s.disconnect();
        await new Promise((r) => setTimeout(r, 300));
      } finally {
        chats.participant = read;
      }
      expect(rooms(), 'rooms with a sequencer on this pod').to.equal(before);
    });
  });

  describe('message:send', () => {
    it('acks the committed message and delivers it once to every joined socket, the sender included', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 3);
      const clients = await Promise.all(tokens.map(open));
      const inboxes = clients.map((s) => new Inbox(s));
      for (const s of clients) await joinOk(s, { code });
      const ack = await send(clients[0], code, '  hello  ', { client_id: 'c-1' });
      expect(ack.ok).to.equal(true);
      if (!ack.ok) return;
      expect(ack.message).to.include({ chat_code: code, seq: 1, content: 'hello', channel: 'main' });
      await Promise.all(inboxes.map((i) => i.until(() => i.messages.length >= 1, 'the message')));
      // A repeated client_id is the same message, acked again, not delivered again.
      const again = await send(clients[0], code, 'hello', { client_id: 'c-1' });
      expect(again.ok && again.message.id).to.equal(ack.message.id);
      await send(clients[1], code, 'second');
      await Promise.all(inboxes.map((i) => i.until(() => i.messages.length >= 2, 'the second message')));
      for (const i of inboxes) expect(i.seqs).to.deep.equal([1, 2]);
    });

    it('sends REST edits, deletes and reactions to sockets as the same events', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 2);
      const [a, b] = await Promise.all(tokens.map(open));
      const inbox = new Inbox(b);
      await joinOk(a, { code });
      await joinOk(b, { code });
      const sent = await send(a, code, 'to change');
      if (!sent.ok) throw new Error('send failed');
      const id = sent.message.id;
      const api = new ApiClient(t.base, tokens[0]);
      expect((await api.patch(`/api/chats/${code}/messages/${id}`, { content: 'changed' })).status).to.equal(200);
      const reacted = await a.timeout(5000).emitWithAck('message:react', { code, message_id: id, emoji: '👍', op: 'add' });
      expect(reacted).to.deep.equal({ ok: true, reactions: { '👍': 1 } });
      expect((await api.delete(`/api/chats/${code}/messages/${id}`)).status).to.equal(200);
      await inbox.until(() => inbox.updates.length >= 3, 'three changes');
      expect(inbox.updates.map((u) => u.event)).to.deep.equal(['message:updated', 'reaction:updated', 'message:deleted']);
      expect(inbox.updates[0].payload).to.include({ id, content: 'changed' });
      expect(inbox.updates[1].payload).to.deep.include({ chat_code: code, message_id: id, reactions: { '👍': 1 } });
      expect(inbox.updates[2].payload).to.include({ id, deleted: true, content: '' });
    });
  });

  describe('rooms', () => {
    it('sends back-room messages only to the host and back-room members', async () => {
      const { code, tokens, hostToken } = await chatWithMembers(t.base, 1);
      const [host, guest] = await Promise.all([open(hostToken), open(tokens[0])]);
      const [hostInbox, guestInbox] = [new Inbox(host), new Inbox(guest)];
      const hostAck = await joinOk(host, { code });
      expect(hostAck.backroom_last_seq).to.equal(0);
      expect((await joinOk(guest, { code })).backroom_last_seq).to.equal(undefined);
      const secret = await host.timeout(5000).emitWithAck('message:send', { code, content: 'host only', channel: 'backroom' });
      expect(secret.ok && secret.message.channel).to.equal('backroom');
      expect((await send(host, code, 'for everyone')).ok).to.equal(true);
      await guestInbox.until(() => guestInbox.messages.length === 1, 'the main message');
      await hostInbox.until(() => hostInbox.messages.length === 2, 'both messages');
      expect(guestInbox.messages.map((m) => m.content)).to.deep.equal(['for everyone']);
      expect(hostInbox.messages.map((m) => [m.channel, m.seq])).to.have.deep.members([
        ['backroom', 1],
        ['main', 1],
      ]);
      const refused = await guest.timeout(5000).emitWithAck('message:send', { code, content: 'let me in', channel: 'backroom' });
      expect(refused.ok || refused.error.code).to.equal('forbidden');
    });

    it('stops delivering to a socket after chat:leave', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 2);
      const [leaver, stayer] = await Promise.all(tokens.map(open));
      const [leaverInbox, stayerInbox] = [new Inbox(leaver), new Inbox(stayer)];
      await joinOk(leaver, { code });
      await joinOk(stayer, { code });
      expect(await leaver.timeout(5000).emitWithAck('chat:leave', { code })).to.deep.equal({ ok: true });
      expect((await send(stayer, code, 'after the leave')).ok).to.equal(true);
      await stayerInbox.until(() => stayerInbox.messages.length === 1, 'the message');
      // One round trip on the leaver's connection: anything broadcast to it earlier would be in by now.
      expect(await leaver.timeout(5000).emitWithAck('chat:leave', { code })).to.deep.equal({ ok: true });
      expect(leaverInbox.messages).to.deep.equal([]);
      const back = await joinOk(leaver, { code, since_seq: 0 });
      expect(back.missed.map((m) => m.content)).to.deep.equal(['after the leave']);
    });
  });

  describe('bad input', () => {
    it('answers an event it does not know with not_found, when the client waits for an ack', async () => {
      const { tokens } = await chatWithMembers(t.base, 1);
      const raw = (await open(tokens[0])) as unknown as RawSocket;
      const ack = await raw.timeout(5000).emitWithAck('chat:typing', { code: 'X' });
      expect(ack).to.deep.equal({ ok: false, error: { code: 'not_found', message: 'event "chat:typing" not found' } });
    });

    it('answers malformed payloads with invalid_input and keeps the connection', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 2);
      const s = await open(tokens[0]);
      const raw = s as unknown as RawSocket;
      const ask = (event: string, ...args: unknown[]) => raw.timeout(5000).emitWithAck(event, ...args);
      const cases: [string, unknown[], RegExp][] = [
        ['message:send', ['just a string'], /payload must be an object/],
        ['message:send', [42], /payload must be an object/],
        ['message:send', [null], /payload must be an object/],
        ['message:send', [[code, 'x']], /payload must be an object/],
        ['message:send', [], /payload must be an object/],
        ['message:send', [{ code, content: 7 }], /^content: /],
        ['message:send', [{ code: 'nope', content: 'x' }], /^code: chat code/],
        ['message:send', [{ code, content: '   ' }], /^content: content must not be empty/],
        ['message:send', [{ code, content: 'x', reply_to: 'not-a-uuid' }], /^reply_to: /],
        ['chat:join', [{ code, since_seq: -1 }], /^since_seq: /],
        ['chat:join', [{ code, since_seq: 'ten' }], /^since_seq: /],
        ['message:react', [{ code, message_id: 'x', emoji: '👍', op: 'add' }], /^message_id: /],
        ['message:react', [{ code, message_id: '00000000-0000-4000-8000-000000000000', emoji: 'abc', op: 'add' }], /^emoji: /],
        ['message:react', [{ code, message_id: '00000000-0000-4000-8000-000000000000', emoji: '👍', op: 'toggle' }], /^op: /],
      ];
      for (const [event, args, message] of cases) {
        const ack = await ask(event, ...args);
        expect(ack.ok, `${event} ${JSON.stringify(args)}`).to.equal(false);
        expect(ack.error.code, `${event} ${JSON.stringify(args)}`).to.equal('invalid_input');
        expect(ack.error.message, `${event} ${JSON.stringify(args)}`).to.match(message);
      }
      const long = await ask('message:send', { code, content: 'x'.repeat(4001) });
      expect(long.error).to.deep.equal({ code: 'payload_too_large', message: 'content: content is 4001 characters; the limit is 4000' });
      // Without an ack callback there is nobody to answer: nothing happens, the connection stays.
      raw.emit('message:send', { code, content: 'no ack' });
      raw.emit('chat:join');
      const ok = await send(s, code, 'still here');
      expect(ok.ok).to.equal(true);
      expect(ok.ok && ok.message.seq).to.equal(1); // the ack-less send was not processed
      expect(s.connected).to.equal(true);
    });

    it('answers an event over the size cap that waits for an ack with payload_too_large, unparsed, and the connection stays', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 1);
      const s = await open(tokens[0]);
      await joinOk(s, { code });
      const big = await (s as unknown as RawSocket).timeout(10_000).emitWithAck('message:send', { code, content: 'x'.repeat(70 * 1024) });
      expect(big).to.deep.equal({ ok: false, error: { code: 'payload_too_large', message: 'the packet is over the 65536-byte limit' } });
      const ok = await send(s, code, 'still here');
      expect(ok.ok && ok.message.seq).to.equal(1); // the oversized send was not processed
      expect(s.connected).to.equal(true);
    });

    it('closes only the connection that sends a packet over the size cap it cannot answer (no ack, or over the read ceiling)', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 3);
      const [noAck, huge, other] = await Promise.all(tokens.map(open));
      const inbox = new Inbox(other);
      await joinOk(other, { code });
      const closed = [noAck, huge].map((s) => new Promise<string>((r) => s.once('disconnect', (reason) => r(reason))));
      (noAck as unknown as RawSocket).emit('message:send', { code, content: 'x'.repeat(70 * 1024) });
      (huge as unknown as RawSocket).emit('message:send', { code, content: 'x'.repeat(300 * 1024) }, () => undefined);
      expect(await Promise.all(closed)).to.deep.equal(['transport close', 'transport close']);
      const ack = await send(other, code, 'unaffected');
      expect(ack.ok).to.equal(true);
      await inbox.until(() => inbox.seqs.includes(1), 'the other client’s message');
    });
  });

  describe('limits', () => {
    it('answers a send flood with rate_limited and a retry time, while other clients carry on', async () => {
      const { code, tokens } = await chatWithMembers(t.base, 2);
      const [flooder, calm] = await Promise.all(tokens.map(open));
      const calmInbox = new Inbox(calm);
      await joinOk(calm, { code });
      const acks = await Promise.all(range(1, 80).map((i) => send(flooder, code, `flood ${i}`)));
      const limited = acks.filter((a) => !a.ok);
      expect(acks.filter((a) => a.ok)).to.have.length(50);
      expect(limited).to.have.length(30);
      for (const a of limited) {
        if (a.ok) continue;
        expect(a.error.code).to.equal('rate_limited');
        expect(a.error.retry_after).to.be.a('number').and.at.least(1);
        expect(a.error.message).to.match(/retry in \d+ s/);
      }
      const ok = await send(calm, code, 'calm');
      expect(ok.ok).to.equal(true);
      await calmInbox.until(() => calmInbox.messages.length === 51, 'the 50 accepted and the calm message');
      expect(calmInbox.seqs).to.deep.equal(range(1, 51));
    });

    it('limits joins per connection to a burst of twice its chat limit', async () => {
      const small = await startTestApp(stack, { SOCKET_MAX_CHATS: '5' });
      const { code, tokens } = await chatWithMembers(small.base, 1);
      const s = await connect(small.base, tokens[0]);
      try {
        const acks = [];
        for (let i = 0; i < 11; i++) acks.push(await join(s, { code }));
        expect(acks.slice(0, 10).every((a) => a.ok)).to.equal(true);
        const last = acks[10];
        expect(last.ok).to.equal(false);
        if (!last.ok) expect(last.error).to.include({ code: 'rate_limited' }).and.have.property('retry_after').above(0);
      } finally {
        s.close();
        await small.close();
      }
    });
  });

  describe('user sockets', () => {
    it('tells a user token’s socket of its chats’ news (inbox:updated) and of a conversation opened with it', async () => {
      const api = new ApiClient(t.base);
      const [a, b] = await Promise.all(
        ['ia', 'ib'].map((p) => api.post('/api/auth/register', { username: `${p}${Date.now()}`, password: 'correct-horse-1' })),
      );
      const inbox = new Inbox(await open(b.body.token));
      const opened = await api.withToken(a.body.token).post('/api/conversations', { with: b.body.user.username });
      await inbox.until(() => inbox.conversations.length === 1, 'conversation:created');
      expect(inbox.conversations[0]).to.deep.equal({ chat_code: opened.body.code, with: a.body.user.username });
      const joined = await api.withToken(a.body.token).post(`/api/chats/${opened.body.code}/join`, { username: a.body.user.username });
      expect(
        (await api.withToken(joined.body.session_token).post(`/api/chats/${opened.body.code}/messages`, { content: 'hi b' })).status,
      ).to.equal(201);
      await inbox.until(() => inbox.inbox.length === 1, 'inbox:updated');
      expect(inbox.inbox[0]).to.deep.include({ chat_code: opened.body.code, last_seq: 1, unread: 1 });
      expect(inbox.inbox[0].last_message).to.include({ preview: 'hi b', seq: 1 });
    });
  });

  describe('presence', () => {
    it('shows who is online through presence:updated and GET /online, and forgets who disconnects', async () => {
      const { code, tokens, usernames } = await chatWithMembers(t.base, 2);
      const [a, b] = await Promise.all(tokens.map(open));
      const inbox = new Inbox(a);
      await joinOk(a, { code });
      await joinOk(b, { code });
      const both = [...usernames].sort();
      await inbox.until(() => JSON.stringify(inbox.presence.at(-1)?.online) === JSON.stringify(both), 'both online');
      expect(inbox.presence.at(-1)).to.include({ chat_code: code, code });
      const api = new ApiClient(t.base);
      expect((await api.get(`/api/chats/${code}/online`)).body).to.deep.equal({ code, online: both });
      expect((await api.get(`/api/chats/${code}`)).body.online).to.equal(2);
      b.close();
      await inbox.until(() => JSON.stringify(inbox.presence.at(-1)?.online) === JSON.stringify([usernames[0]]), 'only a online');
      expect((await api.get(`/api/chats/${code}/online`)).body.online).to.deep.equal([usernames[0]]);
      expect((await api.get('/api/chats/ZZZZZZZZ/online')).status).to.equal(404);
    });
  });
});
