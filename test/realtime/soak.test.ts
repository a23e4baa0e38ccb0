import { expect } from 'chai';
import type { MessageView } from '../../src/chat';
import type { Channel } from '../../src/domain';
import { queryDatabase } from '../support';
import { ackedCount, chatWithMembers, compact, history, startPods, until, untilAcked, type Pods } from '../support/sockets';
import { RecoveringClient, RetryingSender } from './recovering-clients';

const GUESTS = 6;
/** acked sends between one fault and the next step */
const STEP = 100;

interface StoredRow {
  channel: Channel;
  seq: number;
  id: string;
  client_id: string | null;
  content: string;
}

/** One line per message, so a failed comparison shows where two sequences part. */
const lines = (messages: Pick<MessageView, 'seq' | 'id' | 'content'>[]) => messages.map((m) => `${m.seq} ${m.id} ${m.content}`);

// Two server processes on one PostgreSQL and one Redis; clients and senders as the SDK behaves.
describe('realtime soak (2 server processes; Redis and a pod SIGKILLed and restarted mid-traffic)', function () {
  this.timeout(60_000);
  let pods: Pods;
  const clients: RecoveringClient[] = [];

  before(async () => {
    pods = await startPods(2, { SEND_RATE_LIMIT: '100000' });
  });
  after(async () => {
    for (const c of clients) c.close();
    await pods?.stop();
  });

  it('every acked send is stored once, seqs stay contiguous, every client ends with the database’s sequence, both pods serve it', async () => {
    const [doomed, survivor] = pods.pods;
    const { code, tokens, hostToken } = await chatWithMembers(survivor.url, GUESTS + 1);
    const roamerToken = tokens.pop()!;
    // Half the guests on the pod that dies, half on the other with the host (who sends to the back
    // room); one more guest, the roamer, holds a connection to each pod.
    const guests = tokens.map((t, i) => new RecoveringClient(i < GUESTS / 2 ? doomed.url : survivor.url, t, code));
    const host = new RecoveringClient(survivor.url, hostToken, code);
    const roamer = [doomed.url, survivor.url].map((base) => new RecoveringClient(base, roamerToken, code));
    const onDoomed = [...guests.slice(0, GUESTS / 2), roamer[0]];
    const onSurvivor = [...guests.slice(GUESTS / 2), host, roamer[1]];
    clients.push(...onDoomed, ...onSurvivor);
    const names = new Map<RecoveringClient, string>([
      ...guests.map((c, i) => [c, `guest ${i}`] as const),
      [host, 'the host'],
      [roamer[0], 'the roamer on the doomed pod'],
      [roamer[1], 'the roamer on the survivor'],
    ]);
    await Promise.all(clients.map((c) => c.untilJoined(1)));

    // Three sends in flight per sender, so a fault catches several, committed or not; the budget
    // outlasts the run (stop() ends it).
    const pace = { budget: 100_000, lanes: 3, pauseMs: 50 };
    const guestSenders = guests.map((c, i) => new RetryingSender(c.socket, code, `guest${i}`, pace));
    const doomedSenders = guestSenders.slice(0, GUESTS / 2);
    const senders = [
      ...guestSenders,
      new RetryingSender(host.socket, code, 'host', { ...pace, channel: 'backroom' }),
      // Resends on its other connection after a shorter wait: one client_id may be on both pods at once.
      new RetryingSender(
        roamer.map((c) => c.socket),
        code,
        'roamer',
        { ...pace, ackTimeoutMs: 1500 },
      ),
    ];

    // The faults overlap: the pod dies while Redis is down, and comes back once Redis has.
    await untilAcked(senders, STEP);
    await pods.redis!.kill();
    await untilAcked(senders, ackedCount(senders) + STEP);
    // SIGKILL while the doomed pod holds sends: each is lost before or after its commit, and resent.
    await until(() => doomedSenders.some((s) => s.inFlight > 0), 'a send in flight on the doomed pod');
    await doomed.kill();
    await untilAcked(senders, ackedCount(senders) + STEP);
    await pods.redis!.restart();
    await untilAcked(senders, ackedCount(senders) + STEP);
    const reborn = await pods.restart(0);
    expect(reborn.port).to.equal(doomed.port);
    // Its clients come back by themselves and recover with since_seq.
    await Promise.all(onDoomed.map((c) => c.untilJoined(2)));
    await untilAcked(senders, ackedCount(senders) + STEP);
    await Promise.all(senders.map((s) => s.stop()));
    expect(
      senders.flatMap((s) => s.abandoned),
      'sends never acked',
    ).to.deep.equal([]);

    // Every acked send is stored exactly once, as acked; nothing else is stored.
    const rows = await queryDatabase<StoredRow>(
      pods.env.DATABASE_URL,
      'select m.channel, m.seq, m.id, m.client_id, m.content from messages m join chats c on c.id = m.chat_id where c.code = $1 order by m.channel, m.seq',
      [code],
    );
    const acked = senders.flatMap((s) => s.acked);
    for (const a of acked) {
      expect(a.message.content, `ack of ${a.clientId}`).to.equal(a.content);
      const stored = rows.filter((r) => r.client_id === a.clientId);
      expect(
        stored.map((r) => `${r.channel} ${r.seq} ${r.id}`),
        `rows of ${a.clientId}`,
      ).to.deep.equal([`${a.message.channel} ${a.message.seq} ${a.message.id}`]);
    }
    expect(rows.length, 'rows against acked sends').to.equal(acked.length);

    const stored = { main: rows.filter((r) => r.channel === 'main'), backroom: rows.filter((r) => r.channel === 'backroom') };
    for (const ch of ['main', 'backroom'] as const)
      expect(compact(stored[ch].map((r) => r.seq)), `${ch} seqs`).to.equal(`1-${stored[ch].length}`);

    // Every client, the recovered ones included, holds every message once, in order.
    const expectHolds = async (c: RecoveringClient, ch: Channel, who: string) => {
      await until(() => c.held[ch].length >= stored[ch].length, `${stored[ch].length} ${ch} messages on ${who}`, 30_000).catch(
        () => undefined,
      );
      expect(compact(c.held[ch].map((m) => m.seq)), `${ch} seqs on ${who}`).to.equal(compact(stored[ch].map((r) => r.seq)));
      expect(lines(c.held[ch]), `${ch} on ${who}`).to.deep.equal(lines(stored[ch]));
    };
    for (const c of clients) await expectHolds(c, 'main', names.get(c)!);
    await expectHolds(host, 'backroom', 'the host');
    for (const c of clients) expect(c.repeatedLive, `live messages repeated on one connection of ${names.get(c)}`).to.equal(0);
    // The survivor's clients were never cut off: what they hold came live, after one join.
    expect(
      onSurvivor.map((c) => c.joins),
      'joins on the survivor',
    ).to.deep.equal(onSurvivor.map(() => 1));
    expect(
      pods.pods.map((p) => p.child.exitCode),
      'pods that exited',
    ).to.deep.equal([null, null]);

    // Both pods serve the database's history, paged either way.
    for (const pod of pods.pods) {
      for (const backward of [false, true]) {
        const how = `${backward ? 'backward' : 'forward'} from ${pod.url}`;
        expect(lines(await history(pod.url, code, { backward, limit: 50 })), `main ${how}`).to.deep.equal(lines(stored.main));
        expect(lines(await history(pod.url, code, { backward, limit: 50, backroomToken: hostToken })), `back room ${how}`).to.deep.equal(
          lines(stored.backroom),
        );
      }
    }

    const failures = new Map<string, number>();
    for (const s of senders) for (const [why, n] of s.failures) failures.set(why, (failures.get(why) ?? 0) + n);
    console.log(
      `      ${acked.length} acked sends (${rows.length - stored.backroom.length} main, ${stored.backroom.length} back room), ` +
        `${senders.reduce((n, s) => n + s.resends, 0)} resends (${[...failures].map(([k, n]) => `${k} ${n}`).join(', ') || 'no failures'}; ` +
        `${senders.reduce((n, s) => n + s.replayed, 0)} answered with the stored message), ` +
        `${clients.reduce((n, c) => n + c.joins - 1, 0)} recoveries (${clients.reduce((n, c) => n + c.paged, 0)} paged over REST), ` +
        `${clients.reduce((n, c) => n + c.dropped, 0)} copies dropped`,
    );
  });
});
