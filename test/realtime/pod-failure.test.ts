import { expect } from 'chai';
import type { MessageView } from '../../src/chat';
import { startServerProcess, type ServerProcess } from '../support';
import {
  ackedCount,
  chatWithMembers,
  compact,
  connect,
  history,
  Inbox,
  joinOk,
  send,
  Sender,
  startPods,
  untilAcked,
  type ChatSocket,
  type Pods,
} from '../support/sockets';

const SHUTDOWN_TIMEOUT_MS = 5000;

describe('realtime when a pod goes away (server processes, Redis, PostgreSQL)', function () {
  this.timeout(40_000);
  let pods: Pods;
  const extra: ServerProcess[] = [];
  const sockets: ChatSocket[] = [];

  before(async () => {
    pods = await startPods(2, { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await Promise.all(extra.map((p) => p.kill()));
    await pods?.stop();
  });

  const open = async (base: string, token: string) => {
    const s = await connect(base, token);
    sockets.push(s);
    return s;
  };

  /** Reconnects a cut-off client to `base` with what it had seen; returns every seq it now holds, in order. */
  const recover = async (base: string, token: string, code: string, seen: MessageView[]) => {
    const s = await open(base, token);
    const since = seen.at(-1)?.seq ?? 0;
    const ack = await joinOk(s, { code, since_seq: since });
    expect(ack.recovered).to.equal(true);
    return [...seen, ...ack.missed].map((m) => m.seq);
  };

  it('SIGKILL mid-traffic: every acked message is in history; clients of both pods end up with every message once, in order', async () => {
    const [doomed, survivor] = pods.pods;
    const { code, tokens } = await chatWithMembers(survivor.url, 8);
    const clients = await Promise.all(tokens.map((t, i) => open(i < 4 ? doomed.url : survivor.url, t)));
    const inboxes = clients.map((s) => new Inbox(s));
    for (const s of clients) await joinOk(s, { code });
    const senders = clients.map((s, i) => new Sender(s, code, `client ${i}`));

    await untilAcked(senders, 40);
    await doomed.kill();
    await untilAcked(senders, ackedCount(senders) + 20);
    await Promise.all(senders.map((s) => s.stop()));

    const all = await history(survivor.url, code);
    expect(compact(all.map((m) => m.seq))).to.equal(`1-${all.length}`);
    const stored = new Map(all.map((m) => [m.id, m]));
    const acked = senders.flatMap((s) => s.acked);
    for (const m of acked) expect(stored.get(m.id)?.seq, `acked ${m.content}`).to.equal(m.seq);
    expect(senders.slice(0, 4).every((s) => !s.socket.connected)).to.equal(true);

    // The survivor's clients got everything live, including what the dead pod committed but never announced.
    for (const inbox of inboxes.slice(4)) {
      await inbox.until(() => inbox.messages.length >= all.length, 'every message on a survivor client');
      expect(compact(inbox.seqs)).to.equal(`1-${all.length}`);
    }
    // The dead pod's clients reconnect to the survivor and recover the rest.
    for (const [i, inbox] of inboxes.slice(0, 4).entries()) {
      expect(compact(await recover(survivor.url, tokens[i], code, inbox.messages))).to.equal(`1-${all.length}`);
    }
  });

  it('SIGTERM mid-traffic: in-flight sends are answered, no acked send is lost, clients are cut off to reconnect, exit 0 in time', async () => {
    const survivor = pods.pods[1];
    const draining = await startServerProcess({ ...pods.env, HOSTNAME: 'pod-drain', MIGRATE_ON_START: 'false' });
    extra.push(draining);
    const { code, tokens } = await chatWithMembers(survivor.url, 6);
    const clients = await Promise.all(tokens.map((t, i) => open(i < 4 ? draining.url : survivor.url, t)));
    const inboxes = clients.map((s) => new Inbox(s));
    for (const s of clients) await joinOk(s, { code });
    const reasons = clients.slice(0, 4).map((s) => new Promise<string>((r) => s.once('disconnect', (reason) => r(reason))));
    // Four sends in flight per client on the draining pod, so the signal lands among them.
    const senders = clients.map((s, i) => new Sender(s, code, `client ${i}`, i < 4 ? 4 : 1));

    await untilAcked(senders, 60);
    const started = Date.now();
    const exit = await draining.stop('SIGTERM');
    const tookMs = Date.now() - started;
    expect(await Promise.all(reasons)).to.deep.equal(Array(4).fill('transport close')); // a reason to reconnect
    await Promise.all(senders.map((s) => s.stop()));

    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(tookMs).to.be.below(SHUTDOWN_TIMEOUT_MS);
    expect(draining.output()).to.match(/realtime connections closed/);
    // Sends that reached the pod after the signal were refused (not committed), never failed otherwise.
    for (const s of senders)
      expect(
        s.refused.filter((c) => c !== 'unavailable'),
        'refusals other than unavailable',
      ).to.deep.equal([]);

    const all = await history(survivor.url, code);
    expect(compact(all.map((m) => m.seq))).to.equal(`1-${all.length}`);
    const stored = new Map(all.map((m) => [m.id, m]));
    for (const m of senders.flatMap((s) => s.acked)) expect(stored.get(m.id)?.seq, `acked ${m.content}`).to.equal(m.seq);
    for (const inbox of inboxes.slice(4)) {
      await inbox.until(() => inbox.messages.length >= all.length, 'every message on a survivor client');
      expect(compact(inbox.seqs)).to.equal(`1-${all.length}`);
    }
    for (const [i, inbox] of inboxes.slice(0, 4).entries()) {
      expect(compact(await recover(survivor.url, tokens[i], code, inbox.messages))).to.equal(`1-${all.length}`);
    }
  });

  it('Redis down mid-traffic: sends still ack, every client still gets every message (read from the database), no pod crashes', async () => {
    const other = await startServerProcess({ ...pods.env, HOSTNAME: 'pod-redis-down', MIGRATE_ON_START: 'false' });
    extra.push(other);
    const servers = [pods.pods[1], other];
    const { code, tokens } = await chatWithMembers(servers[0].url, 2);
    const [a, b] = await Promise.all(tokens.map((t, i) => open(servers[i].url, t)));
    const inbox = new Inbox(b);
    await joinOk(a, { code });
    await joinOk(b, { code });
    expect((await send(a, code, 'before')).ok).to.equal(true);
    await inbox.until(() => inbox.messages.length === 1, 'the first message');

    await pods.redis!.kill();
    for (let i = 1; i <= 5; i++) expect((await send(a, code, `while Redis is down ${i}`)).ok).to.equal(true);
    // No announcement can cross now: the other pod finds them in history once the chat goes quiet.
    await inbox.until(() => inbox.messages.length === 6, 'the messages sent while Redis was down');

    await pods.redis!.restart();
    expect((await send(a, code, 'after')).ok).to.equal(true);
    await inbox.until(() => inbox.messages.length === 7, 'the message after Redis came back');
    expect(compact(inbox.seqs)).to.equal('1-7');
    expect(servers.map((p) => p.child.exitCode)).to.deep.equal([null, null]);
  });
});
