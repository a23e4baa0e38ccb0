import { expect } from 'chai';
import type { MessageView } from '../../src/chat';
import Redis from 'ioredis';
import { ApiClient, redisCommand } from '../support';
import {
  ackedCount,
  chatWithMembers,
  compact,
  connect,
  history,
  Inbox,
  joinOk,
  range,
  send,
  Sender,
  startPods,
  until,
  untilAcked,
  type ChatSocket,
  type Pods,
} from '../support/sockets';

/** The Redis adapter's request channel, where server-side events travel. */
const ADAPTER_CHANNEL = 'socket.io-request#/#';
import { concurrentSendersOverPods } from './scenarios';

// Two server processes on one PostgreSQL database and one Redis: what clients of different pods see.
describe('realtime across pods (2 server processes, Redis adapter, PostgreSQL)', function () {
  this.timeout(30_000);
  let pods: Pods;
  let bases: string[];
  const sockets: ChatSocket[] = [];

  before(async () => {
    // Senders here send as fast as acks come back, until a test has seen enough: the per-connection
    // send limit (50 per 10 s by default) must not end the traffic before that.
    pods = await startPods(2, { SEND_RATE_LIMIT: '100000' });
    bases = pods.pods.map((p) => p.url);
  });
  after(async () => {
    await pods?.stop();
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  const open = async (base: string, token: string) => {
    const s = await connect(base, token);
    sockets.push(s);
    return s;
  };

  it('12 clients on 2 pods sending at once: every ack ok, every client gets every message once, in seq order', async () => {
    await concurrentSendersOverPods(bases, 12, 15);
  });

  it('announces each commit to the other pods through the adapter’s channel, which both pods subscribe to', async () => {
    const { code, tokens } = await chatWithMembers(bases[0], 1);
    const listener = new Redis(pods.redis!.url, { lazyConnect: true });
    const heard: string[] = [];
    listener.on('messageBuffer', (_channel: Buffer, message: Buffer) => heard.push(message.toString()));
    try {
      await listener.subscribe(ADAPTER_CHANNEL);
      const s = await open(bases[0], tokens[0]);
      await joinOk(s, { code });
      expect((await send(s, code, 'over pub/sub')).ok).to.equal(true);
      await until(() => heard.some((m) => m.includes('chat:change') && m.includes('over pub/sub')), 'the announcement');
      const [, subscribers] = (await redisCommand(pods.redis!.port, ['PUBSUB', 'NUMSUB', ADAPTER_CHANNEL])) as [string, number];
      expect(Number(subscribers)).to.equal(3); // two pods and this listener
    } finally {
      listener.disconnect();
    }
  });

  it('pods whose Redis subscription drops mid-traffic still deliver every message once, in order (from history)', async () => {
    const { code, tokens } = await chatWithMembers(bases[0], 4);
    const clients = await Promise.all(tokens.map((t, i) => open(bases[i % 2], t)));
    const inboxes = clients.map((s) => new Inbox(s));
    for (const s of clients) await joinOk(s, { code });
    const senders = clients.map((s, i) => new Sender(s, code, `client ${i}`, 2));
    await untilAcked(senders, 30);
    // Every pod's subscriber connection is cut: announcements published until it is back are lost.
    const killed = Number(await redisCommand(pods.redis!.port, ['CLIENT', 'KILL', 'TYPE', 'pubsub']));
    expect(killed).to.be.at.least(2);
    await untilAcked(senders, ackedCount(senders) + 60);
    await Promise.all(senders.map((s) => s.stop()));
    const all = await history(bases[0], code);
    expect(ackedCount(senders)).to.equal(all.length);
    for (const [i, inbox] of inboxes.entries()) {
      await inbox.until(() => inbox.messages.length >= all.length, `every message on client ${i}`);
      expect(compact(inbox.seqs), `client ${i}`).to.equal(`1-${all.length}`);
    }
  });

  it('a client that rejoins with since_seq and since_version gets exactly what it missed, and what changed', async () => {
    const { code, tokens } = await chatWithMembers(bases[0], 2);
    const [stayToken, awayToken] = tokens;
    const stay = await open(bases[0], stayToken);
    let away = await open(bases[1], awayToken);
    await joinOk(stay, { code });
    const first = await joinOk(away, { code });
    const awayInbox = new Inbox(away);
    const before = [];
    for (const i of range(1, 3)) before.push(await send(stay, code, `before ${i}`));
    await awayInbox.until(() => awayInbox.messages.length === 3, 'the first three');
    // The client keeps what it saw: the last seq and the version of its last join ack, moved on by the
    // versions of the messages it received.
    const sinceSeq = awayInbox.seqs.at(-1)!;
    const sinceVersion = Math.max(first.version, ...awayInbox.messages.map((m) => m.version));
    away.close();

    const api = new ApiClient(bases[0], stayToken);
    const ids = before.map((a) => (a.ok ? a.message.id : ''));
    for (const i of range(4, 8)) expect((await send(stay, code, `while away ${i}`)).ok).to.equal(true);
    expect((await api.patch(`/api/chats/${code}/messages/${ids[0]}`, { content: 'edited while away' })).status).to.equal(200);
    expect((await api.delete(`/api/chats/${code}/messages/${ids[1]}`)).status).to.equal(200);

    away = await open(bases[1], awayToken);
    const back = new Inbox(away);
    const ack = await joinOk(away, { code, since_seq: sinceSeq, since_version: sinceVersion });
    expect(ack.recovered).to.equal(true);
    expect(ack.last_seq).to.equal(8);
    expect(ack.missed.map((m) => [m.seq, m.content])).to.deep.equal(range(4, 8).map((i) => [i, `while away ${i}`]));
    expect(ack.changed.map((m) => [m.seq, m.content, m.deleted])).to.deep.equal([
      [1, 'edited while away', false],
      [2, '', true],
    ]);
    expect(ack.version).to.be.at.least(Math.max(...ack.changed.map((m) => m.version)));

    // …and live delivery goes on right after, without repeating what the ack held.
    expect((await send(stay, code, 'after the rejoin')).ok).to.equal(true);
    await back.until(() => back.messages.length === 1, 'the next message');
    expect(back.seqs).to.deep.equal([9]);
  });

  it('a client that joins during traffic gets each message once: the ack up to last_seq, live after it', async () => {
    const { code, tokens } = await chatWithMembers(bases[0], 4);
    const senders = await Promise.all(tokens.slice(0, 3).map((t, i) => open(bases[i % 2], t)));
    for (const s of senders) await joinOk(s, { code });
    let sending = true;
    const traffic = senders.map(async (s, i) => {
      for (let n = 0; sending; n++) expect((await send(s, code, `sender ${i} #${n}`)).ok).to.equal(true);
    });
    const joiner = await open(bases[1], tokens[3]);
    const inbox = new Inbox(joiner);
    await new Promise((r) => setTimeout(r, 150)); // let traffic build up before the join
    // since_version too: the join reads changes as well, and nothing may slip by while it does.
    const ack = await joinOk(joiner, { code, since_seq: 0, since_version: 0 });
    await inbox.until(() => inbox.messages.length >= 20, 'live messages after the join');
    sending = false;
    await Promise.all(traffic);
    const all = await history(bases[0], code);
    await inbox.until(() => ack.last_seq + inbox.messages.length >= all.length, 'the rest of the traffic');
    const seen: MessageView[] = [...ack.missed, ...inbox.messages];
    expect(ack.missed.at(-1)?.seq ?? 0).to.equal(ack.last_seq);
    expect(compact(seen.map((m) => m.seq))).to.equal(`1-${all.length}`);
  });
});
