import { expect } from 'chai';
import fs from 'node:fs';
import { connect, type ChatPopClient, type MessageView } from '../../clients/js/src';
import { ApiClient, chatWithHost, uniqueName, type ServerProcess } from '../support';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { closeAll, compact, range, sqliteServer, Stream, until } from './helpers';

describe('@chatpop/client SDK', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let dir: string;
  const clients: ChatPopClient[] = [];
  const open = (token?: string, url = server.url) => {
    const c = connect({ url, token });
    clients.push(c);
    return c;
  };

  before(async () => {
    ({ server, dir } = await sqliteServer());
  });
  after(async () => {
    await server?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => closeAll(clients));

  it('gives two clients the same stream, in seq order and each message once, and resolves a send with the stored message', async () => {
    const { code, user } = await chatWithHost(server.url);
    const alice = await open(user.token).join(code);
    const bob = await open().join(code, { username: uniqueName('bob') });
    const [a, b] = [new Stream(alice), new Stream(bob)];

    const sent = await Promise.all(range(1, 30).map((i) => (i % 2 ? alice : bob).send(`hello ${i}`)));
    expect(new Set(sent.map((m) => m.id)).size).to.equal(30);
    await until(
      () => a.seqs.length === 30 && b.seqs.length === 30,
      () => `30 each; alice ${compact(a.seqs)}, bob ${compact(b.seqs)}`,
    );
    expect(a.seqs).to.deep.equal(range(1, 30));
    expect(b.seqs).to.deep.equal(range(1, 30));
    expect(bob.messages.map((m) => m.content).sort()).to.deep.equal(sent.map((m) => m.content).sort());
  });

  it('shows edits, deletes, reactions and pins made on one client live on the other', async () => {
    const { code, user } = await chatWithHost(server.url);
    const alice = await open(user.token).join(code);
    const bob = await open().join(code, { username: uniqueName('bob') });
    const [m1, m2] = [await alice.send('first'), await alice.send('second')];
    await until(() => bob.messages.length === 2, 'both messages at bob');

    await alice.edit(m1.id, 'first, edited');
    await alice.delete(m2.id);
    await bob.react(m1.id, '👍');
    await alice.pin(m1.id, 100, 5);
    const b = new Stream(bob);
    await until(() => b.held(m1.id)?.content === 'first, edited' && b.held(m2.id)?.deleted === true, 'the edit and the delete at bob');
    await until(() => new Stream(alice).held(m1.id)?.reactions['👍'] === 1, 'the reaction at alice');
    await until(() => bob.pinned.some((p) => p.id === m1.id), "the pin in bob's pinned list");
    expect(bob.messages.find((m) => m.id === m2.id)?.content).to.equal('');
  });

  // Its own server: registration is limited per address, and this file's server registers enough already.
  describe('on a server of its own', () => {
    let own: ServerProcess;
    let ownDir: string;
    before(async () => {
      ({ server: own, dir: ownDir } = await sqliteServer());
    });
    after(async () => {
      await own?.kill();
      if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
    });

    it('tells a chat of participant:renamed, and a client renamed by a name takeover knows its new name', async () => {
      const { code } = await chatWithHost(own.url);
      const carol = uniqueName('carol');
      const squatter = await open(undefined, own.url).join(code, { username: carol });
      const watcher = await open(undefined, own.url).join(code, { username: uniqueName('dave') });
      const heard = new Promise((resolve) => watcher.once('renamed', resolve));
      const selfHeard = new Promise((resolve) => squatter.once('renamed', resolve));

      const api = new ApiClient(own.url);
      const reg = await api.post('/api/auth/register', { username: carol, password: 'correct-horse-1' });
      expect(reg.status).to.equal(201);
      expect((await api.withToken(reg.body.token).post(`/api/chats/${code}/join`, { username: carol })).status).to.equal(200);

      const rename = { chat_code: code, old_username: carol, username: `${carol}~2` };
      expect(await heard).to.deep.include(rename);
      expect(await selfHeard).to.deep.include(rename);
      expect(squatter.username).to.equal(`${carol}~2`);
      expect(watcher.username).to.not.equal(`${carol}~2`);
      expect((await squatter.send('still me')).username).to.equal(`${carol}~2`);
    });
  });

  it('carries two chats on one anonymous connection, each its own ordered stream', async () => {
    const [one, two] = await Promise.all([chatWithHost(server.url), chatWithHost(server.url)]);
    const client = open();
    const name = uniqueName('both');
    const a = new Stream(await client.join(one.code, { username: name }));
    const b = new Stream(await client.join(two.code, { username: name }));
    const socket = client.socket;
    for (const i of range(1, 10)) {
      await one.host.post(`/api/chats/${one.code}/messages`, { content: `one ${i}` });
      await two.host.post(`/api/chats/${two.code}/messages`, { content: `two ${i}` });
    }
    await b.chat.send('from the second chat');
    await until(
      () => a.seqs.length === 10 && b.seqs.length === 11,
      () => `10 and 11; got ${compact(a.seqs)} and ${compact(b.seqs)}`,
    );
    expect(client.socket).to.equal(socket);
    expect(a.emitted.map((m) => m.content)).to.deep.equal(range(1, 10).map((i) => `one ${i}`));
    expect(b.emitted.map((m) => m.content)).to.deep.equal([...range(1, 10).map((i) => `two ${i}`), 'from the second chat']);
  });

  it('pages scrollback with loadOlder back to seq 1', async () => {
    const { code, host } = await chatWithHost(server.url);
    for (const i of range(1, 120)) await host.post(`/api/chats/${code}/messages`, { content: `old ${i}` });
    const chat = await open().join(code, { username: uniqueName('late') });
    expect(chat.messages.map((m) => m.seq)).to.deep.equal(range(71, 120)); // the newest page
    for (let i = 0; i < 10 && chat.hasOlder; i++) await chat.loadOlder(50);
    expect(chat.messages.map((m) => m.seq)).to.deep.equal(range(1, 120));
    expect(chat.hasOlder).to.equal(false);
  });

  it('stores a send repeated with its client_id once', async () => {
    const { code, user } = await chatWithHost(server.url);
    const chat = await open(user.token).join(code);
    const [x, y] = await Promise.all([chat.send('once', { clientId: 'repeat-1' }), chat.send('once', { clientId: 'repeat-1' })]);
    expect(x.id).to.equal(y.id);
    const page = await new ApiClient(server.url).get(`/api/chats/${code}/messages?after=0`);
    expect(page.body.messages.map((m: MessageView) => m.content)).to.deep.equal(['once']);
  });

  describe('through a connection that is cut', () => {
    let proxy: TcpProxy;
    before(async () => {
      proxy = await startTcpProxy(server.port);
    });
    after(async () => proxy?.close());

    it('after missing more than the server replays (recovered: false), pages the rest and the edits it missed', async () => {
      const { code, host } = await chatWithHost(server.url);
      const first = (await host.post(`/api/chats/${code}/messages`, { content: 'before the cut' })).body as MessageView;
      const client = open(undefined, `http://127.0.0.1:${proxy.port}`);
      const states: string[] = [];
      client.on('state', (s) => states.push(s));
      const chat = await client.join(code, { username: uniqueName('away') });
      const s = new Stream(chat);
      const sent = chat.send('sent while away'); // waits in the outbox across the cut

      await proxy.cut();
      await until(() => client.state === 'reconnecting', 'the reconnecting state');
      for (const i of range(1, 520)) await host.post(`/api/chats/${code}/messages`, { content: `missed ${i}` });
      await host.patch(`/api/chats/${code}/messages/${first.id}`, { content: 'edited while away' });
      await proxy.restore();

      const mine = await sent;
      await until(
        () => chat.lastSeq >= mine.seq,
        () => `the stream up to ${mine.seq}; has ${compact(s.seqs)}`,
        30_000,
      );
      expect(s.seqs).to.deep.equal(range(2, mine.seq));
      expect(chat.messages.map((m) => m.seq)).to.deep.equal(range(1, mine.seq));
      expect(chat.messages[0].content).to.equal('edited while away');
      expect(states).to.include.members(['reconnecting', 'connected']);
    });

    it('renews a user token with refreshToken and reconnects with the new one', async () => {
      const { code, user } = await chatWithHost(server.url);
      const client = open(user.token, `http://127.0.0.1:${proxy.port}`);
      const chat = await client.join(code);
      const renewed: string[] = [];
      client.on('token', (t) => renewed.push(t));
      const token = await client.refreshToken();
      expect(token).to.not.equal(user.token);
      expect(renewed).to.deep.equal([token]);
      await proxy.cut();
      await until(() => client.state === 'reconnecting', 'the reconnecting state');
      await proxy.restore();
      await until(() => client.state === 'connected' && chat.synced, 'the rejoin');
      expect((await chat.send('after refresh')).content).to.equal('after refresh');
    });
  });

  it("keeps a signed-in user's inbox: unread counts follow inbox:updated, and markRead lowers them", async () => {
    const { code, user, username } = await chatWithHost(server.url);
    const client = open(user.token);
    await until(() => client.state === 'connected', 'the connection');
    await client.inbox.reload();
    expect(client.inbox.conversations.map((c) => c.code)).to.include(code);
    const bob = await open().join(code, { username: uniqueName('bob') });
    await bob.send('one');
    await bob.send('two');
    await until(() => client.inbox.conversations.find((c) => c.code === code)?.unread === 2, 'unread 2 in the inbox', 10_000);
    const chat = await client.join(code);
    expect(client.username).to.equal(username);
    expect(await chat.markRead()).to.equal(0);
  });
});
