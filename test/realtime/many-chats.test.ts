import { expect } from 'chai';
import type { MessageView } from '../../src/chat';
import { ApiClient, uniqueName } from '../support';
import { chatWithMembers, compact, Inbox, join, joinOk, podsForSuite, range } from './helpers';

/** The chat limit these pods run with: small, so the test stays fast (the default is 100). */
const MAX_CHATS = 50;
const PER_CHAT = 4;

// One connection, many chats: a user token's socket on one pod holds chats it is a member of and
// chats it joins anonymously, while both pods commit their messages.
describe('one connection, many chats (2 server processes, Redis adapter, PostgreSQL)', function () {
  this.timeout(60_000);
  const suite = podsForSuite(2, { SOCKET_MAX_CHATS: String(MAX_CHATS), SEND_RATE_LIMIT: '1000' });
  const { open } = suite;
  let bases: string[];
  before(() => (bases = suite.bases));

  it(`one socket in ${MAX_CHATS} chats gets each chat's messages once and in order from both pods; leaving one stops only it; one more is limit_exceeded`, async () => {
    const api = new ApiClient(bases[0]);
    const username = uniqueName('many');
    const reg = await api.post('/api/auth/register', { username, password: 'correct-horse-1' });
    expect(reg.status).to.equal(201);
    const member = api.withToken(reg.body.token);

    // Half the chats have the user as a registered participant, the other half an anonymous one.
    const chats = await Promise.all(
      range(1, MAX_CHATS + 1).map(async (i) => {
        const chat = await chatWithMembers(bases[0], 1);
        const registered = i % 2 === 0;
        if (registered) expect((await member.post(`/api/chats/${chat.code}/join`, { username })).status).to.equal(200);
        return { ...chat, registered };
      }),
    );
    const extra = chats.pop()!;

    const s = await open(bases[0], reg.body.token);
    const inbox = new Inbox(s);
    for (const c of chats) await joinOk(s, c.registered ? { code: c.code } : { code: c.code, session_token: c.tokens[0] });
    const over = await join(s, { code: extra.code, session_token: extra.tokens[0] });
    expect(over.ok).to.equal(false);
    if (!over.ok) expect(over.error.code).to.equal('limit_exceeded');

    // Each chat's host sends, alternately through each pod; chats send at the same time.
    await Promise.all(
      chats.map(async (c) => {
        for (const i of range(1, PER_CHAT)) {
          const res = await new ApiClient(bases[i % 2], c.hostToken).post(`/api/chats/${c.code}/messages`, { content: `${c.code} #${i}` });
          expect(res.status, JSON.stringify(res.body)).to.equal(201);
        }
      }),
    );
    const total = chats.length * PER_CHAT;
    await inbox.until(() => inbox.messages.length >= total, `${total} messages`);
    const byChat = new Map<string, MessageView[]>();
    for (const m of inbox.messages) byChat.set(m.chat_code, [...(byChat.get(m.chat_code) ?? []), m]);
    for (const c of chats) {
      const got = byChat.get(c.code) ?? [];
      expect(compact(got.map((m) => m.seq)), c.code).to.equal(`1-${PER_CHAT}`);
      expect(got.map((m) => m.content)).to.deep.equal(range(1, PER_CHAT).map((i) => `${c.code} #${i}`));
    }

    // Leave one; a witness on the same pod shows when its next message has been delivered there.
    const [left, kept] = chats;
    expect(await s.timeout(5000).emitWithAck('chat:leave', { code: left.code })).to.deep.equal({ ok: true });
    const witness = await open(bases[0], left.tokens[0]);
    const witnessInbox = new Inbox(witness);
    await joinOk(witness, { code: left.code });
    await new ApiClient(bases[1], left.hostToken).post(`/api/chats/${left.code}/messages`, { content: 'after the leave' });
    await new ApiClient(bases[1], kept.hostToken).post(`/api/chats/${kept.code}/messages`, { content: 'still joined' });
    await witnessInbox.until(() => witnessInbox.messages.length === 1, 'the left chat’s message at the witness');
    await inbox.until(() => inbox.messages.some((m) => m.content === 'still joined'), 'the kept chat’s message');
    // One round trip on the connection: anything its pod sent it earlier is in by now.
    expect((await join(s, { code: kept.code })).ok).to.equal(true);
    expect(inbox.messages.filter((m) => m.chat_code === left.code).map((m) => m.seq)).to.deep.equal(range(1, PER_CHAT));

    // The chat left makes room for another.
    await joinOk(s, { code: extra.code, session_token: extra.tokens[0] });

    // Back in the chat it left, from the seq it holds: exactly what it missed, then live again.
    await new ApiClient(bases[1], extra.hostToken).post(`/api/chats/${extra.code}/messages`, { content: 'kept live' });
    const full = await join(s, { code: left.code, session_token: left.tokens[0] });
    expect(full.ok || full.error.code, `${MAX_CHATS} chats held again`).to.equal('limit_exceeded');
    expect(await s.timeout(5000).emitWithAck('chat:leave', { code: kept.code })).to.deep.equal({ ok: true });
    const back = await joinOk(s, { code: left.code, session_token: left.tokens[0], since_seq: PER_CHAT });
    expect(back.missed.map((m) => m.content)).to.deep.equal(['after the leave']);
    expect(back.recovered).to.equal(true);
    await new ApiClient(bases[1], left.hostToken).post(`/api/chats/${left.code}/messages`, { content: 'live again' });
    await inbox.until(() => inbox.messages.some((m) => m.content === 'live again'), 'the rejoined chat’s next message');
    expect(inbox.messages.filter((m) => m.chat_code === left.code).map((m) => m.seq)).to.deep.equal([...range(1, PER_CHAT), PER_CHAT + 2]);
    await inbox.until(() => inbox.messages.some((m) => m.content === 'kept live'), 'the newly joined chat’s message');
  });

  it('refuses a registered join by code to a chat the user is not a participant of', async () => {
    const api = new ApiClient(bases[1]);
    const reg = await api.post('/api/auth/register', { username: uniqueName('stranger'), password: 'correct-horse-1' });
    const { code } = await chatWithMembers(bases[1], 0);
    const s = await open(bases[1], reg.body.token);
    const ack = await join(s, { code });
    expect(ack.ok).to.equal(false);
    if (!ack.ok) expect(ack.error.code).to.equal('forbidden');
  });
});
