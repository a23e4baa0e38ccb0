// The SDK under faults: a client sends 500 messages while its server is killed and restarted twice
// and Redis once; a second client, on another server, watches and edits.
import { expect } from 'chai';
import { connect, type ChatPopClient, type MessageView } from '../../clients/js/src';
import {
  ApiClient,
  chatWithHost,
  createTestDatabase,
  freePort,
  startRedis,
  startServerProcess,
  TEST_SECRET,
  uniqueName,
  type RedisHandle,
  type ServerProcess,
  type TestDatabase,
} from '../support';
import { closeAll, compact, GENEROUS_LIMITS, range, Stream, until } from './helpers';

const TOTAL = 500;

describe('@chatpop/client under server and Redis restarts', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let redis: RedisHandle;
  let env: Record<string, string>;
  let senderPort: number;
  let senderPod: ServerProcess;
  let watcherPod: ServerProcess;
  const clients: ChatPopClient[] = [];

  /** The sender's server, on the same port each time, as a restarted pod behind a fixed address. */
  const startSenderPod = async (migrate: boolean) =>
    (senderPod = await startServerProcess({ ...env, PORT: String(senderPort), HOSTNAME: 'pod-sender', MIGRATE_ON_START: String(migrate) }));

  before(async () => {
    [db, redis, senderPort] = await Promise.all([createTestDatabase(), startRedis(), freePort()]);
    env = { DATABASE_URL: db.url, REDIS_URL: redis.url, SESSION_SECRET: TEST_SECRET, ...GENEROUS_LIMITS };
    await startSenderPod(true);
    watcherPod = await startServerProcess({ ...env, HOSTNAME: 'pod-watcher', MIGRATE_ON_START: 'false' });
  });
  after(async () => {
    closeAll(clients);
    await Promise.all([senderPod?.kill(), watcherPod?.kill()]);
    await redis?.stop();
    await db?.drop();
  });

  it('stores each of 500 pipelined sends once, and both clients end with the whole stream in order, edits and deletes made while away included', async () => {
    const started = Date.now();
    const { code, user } = await chatWithHost(senderPod.url);
    const sender = connect({ url: senderPod.url, token: user.token });
    const watcher = connect({ url: watcherPod.url });
    clients.push(sender, watcher);
    const states: string[] = [];
    sender.on('state', (s) => states.push(s));
    const [mine, theirs] = [new Stream(await sender.join(code)), new Stream(await watcher.join(code, { username: uniqueName('watch') }))];
    // The host's other device, on the watcher's server: it edits and deletes while the sender is away.
    const otherDevice = new ApiClient(watcherPod.url, mine.chat.sessionToken);

    // Every message:send packet the sender wrote, by client_id: a count above 1 is a resend.
    const written = new Map<string, number>();
    sender.socket!.onAnyOutgoing((event, payload: { client_id?: string }) => {
      if (event === 'message:send' && payload.client_id) written.set(payload.client_id, (written.get(payload.client_id) ?? 0) + 1);
    });

    // Sends go out in a sliding window, so each fault finds some in flight: unsent, uncommitted, or
    // committed with their ack lost.
    const WINDOW = 25;
    const sends: Promise<MessageView>[] = [];
    let acked = 0;
    let target = 0;
    const pump = () => {
      while (sends.length < target && sends.length - acked < WINDOW) {
        sends.push(mine.chat.send(`m${sends.length}`).then((m) => (acked++, pump(), m)));
      }
    };
    const sendUpTo = (n: number) => ((target = n), pump());
    const ackedAtLeast = (n: number) =>
      until(
        () => acked >= n,
        () => `${n} acks (${acked} so far)`,
        60_000,
      );
    const atFaults: string[] = [];
    const fault = async (what: string, act: () => Promise<void>) => {
      atFaults.push(`${what} with ${sends.length - acked} in flight`);
      await act();
    };

    sendUpTo(200);
    await ackedAtLeast(60);
    await fault('1st kill', () => senderPod.kill());
    const early = await Promise.all(sends.slice(0, 40));
    const [edited, deleted] = [early[5], early[6]];
    expect((await otherDevice.patch(`/api/chats/${code}/messages/${edited.id}`, { content: 'edited while away' })).status).to.equal(200);
    expect((await otherDevice.delete(`/api/chats/${code}/messages/${deleted.id}`)).status).to.equal(200);
    await startSenderPod(false);

    sendUpTo(350);
    await ackedAtLeast(240);
    await fault('Redis kill', () => redis.kill()); // sends still commit without it
    await ackedAtLeast(300);
    await redis.restart();

    sendUpTo(TOTAL);
    await ackedAtLeast(400);
    await fault('2nd kill', () => senderPod.kill());
    await startSenderPod(false);

    await ackedAtLeast(TOTAL);
    const stored = await Promise.all(sends);
    expect(
      stored.filter((m, i) => m.content !== `m${i}`),
      'acks answering another send',
    ).to.deep.equal([]);
    expect(new Set(stored.map((m) => m.id)).size, 'distinct acked messages').to.equal(TOTAL);

    // The database holds each send once.
    const all: MessageView[] = [];
    for (let after = 0, round = 0; round < 20; round++) {
      const page = await new ApiClient(watcherPod.url).get(`/api/chats/${code}/messages?after=${after}&limit=200`);
      all.push(...page.body.messages);
      if (!page.body.has_more) break;
      after = page.body.next_after;
    }
    const contents = all.map((m) => m.content).filter((c) => c.startsWith('m'));
    expect(all.map((m) => m.seq)).to.deep.equal(range(1, TOTAL));
    expect(new Set(contents).size).to.equal(contents.length);
    expect(all.filter((m) => m.deleted)).to.have.length(1);

    // Each client's stream: 1..500, in order, each once; the edit and the delete shown.
    for (const [name, s] of [
      ['sender', mine],
      ['watcher', theirs],
    ] as const) {
      await until(
        () => s.chat.lastSeq === TOTAL,
        () => `${name}'s stream to ${TOTAL}: ${compact(s.seqs)}`,
        60_000,
      );
      expect(s.seqs, `${name} emitted`).to.deep.equal(range(1, TOTAL));
      expect(
        s.chat.messages.map((m) => m.seq),
        `${name} holds`,
      ).to.deep.equal(range(1, TOTAL));
      await until(
        () => s.held(edited.id)?.content === 'edited while away' && s.held(deleted.id)?.deleted === true,
        `the edit and the delete at the ${name}`,
      );
    }
    expect(states.filter((s) => s === 'reconnecting').length, 'reconnects').to.be.at.least(2);
    const resent = [...written.values()].filter((n) => n > 1).length;
    expect(resent, 'sends written again after a fault').to.be.greaterThan(0);
    console.log(
      `      ${TOTAL} sends, 2 server restarts and 1 Redis restart in ${((Date.now() - started) / 1000).toFixed(1)} s (${atFaults.join(', ')}; ${resent} sends written more than once)`,
    );
  });
});
