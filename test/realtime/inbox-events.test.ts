import { expect } from 'chai';
import { ApiClient, uniqueName } from '../support';
import { chatWithMembers, Inbox, podsForSuite, range, send } from '../support/sockets';

// inbox:updated and conversation:created reach a registered user's sockets on any pod.
describe('inbox events across pods (2 server processes, Redis adapter, PostgreSQL)', function () {
  this.timeout(60_000);
  const suite = podsForSuite(2, { SEND_RATE_LIMIT: '1000' });
  const { open } = suite;

  const register = async (base: string) => {
    const username = uniqueName('inbox');
    const res = await new ApiClient(base).post('/api/auth/register', { username, password: 'correct-horse-1' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { username, api: new ApiClient(base, res.body.token as string), token: res.body.token as string };
  };

  let bases: string[];
  before(() => (bases = suite.bases));

  it('tells a member’s socket on the other pod of a burst of sends from both pods in fewer events than messages, its own message not unread', async () => {
    const user = await register(bases[0]);
    const { code, hostToken, tokens } = await chatWithMembers(bases[0], 1);
    const joined = await user.api.post(`/api/chats/${code}/join`, { username: user.username });
    expect(joined.status).to.equal(200);

    // The member's socket is on pod 1 and has joined no chat: inbox news comes to the user.
    const inbox = new Inbox(await open(bases[1], user.token));
    const own = await open(bases[0], joined.body.session_token);
    const sends = range(1, 10).map((i) =>
      new ApiClient(bases[i % 2], i % 2 ? hostToken : tokens[0]).post(`/api/chats/${code}/messages`, { content: `news ${i}` }),
    );
    const mine = send(own, code, 'my own');
    expect((await Promise.all(sends)).every((r) => r.status === 201)).to.equal(true);
    expect((await mine).ok).to.equal(true);

    await inbox.until(() => inbox.inbox.some((u) => u.last_seq === 11), 'an inbox update with all 11 messages');
    expect(inbox.inbox.length).to.be.below(11);
    const last = inbox.inbox.at(-1)!;
    expect(last).to.include({ chat_code: code, last_seq: 11, unread: 10 });
    expect(last.last_message).to.include({ seq: 11 });
  });

  it('tells both users’ sockets, on either pod, of a conversation one of them opened', async () => {
    const [a, b] = [await register(bases[0]), await register(bases[1])];
    const [aInbox, bInbox] = [new Inbox(await open(bases[0], a.token)), new Inbox(await open(bases[1], b.token))];
    const opened = await a.api.post('/api/conversations', { with: b.username });
    expect(opened.status).to.equal(201);
    await bInbox.until(() => bInbox.conversations.length > 0, 'conversation:created at the partner');
    expect(bInbox.conversations).to.deep.equal([{ chat_code: opened.body.code, with: a.username }]);
    await aInbox.until(() => aInbox.conversations.length > 0, 'conversation:created at the opener');
    expect(aInbox.conversations).to.deep.equal([{ chat_code: opened.body.code, with: b.username }]);
    // Opened again (on b's socket's pod): the pair has its conversation, nobody hears of a new one.
    expect((await b.api.post('/api/conversations', { with: a.username })).status).to.equal(200);
    // One round trip on b's connection: anything its pod sent it before is in by now.
    expect(await bInbox.socket.timeout(5000).emitWithAck('chat:leave', { code: opened.body.code })).to.deep.equal({ ok: true });
    expect(bInbox.conversations).to.have.length(1);
  });
});
