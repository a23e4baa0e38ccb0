import { expect } from 'chai';
import Redis from 'ioredis';
import { createLogger } from '../../src/logger';
import { InboxNotifier, MemoryInboxGate, RedisInboxGate, type InboxGate, type InboxUpdate } from '../../src/realtime';
import { startRedis, type RedisHandle } from '../support';
import { until } from '../support/sockets';

const WINDOW_MS = 100;
const log = createLogger('silent');
let chatCounter = 0;
const newCode = () => `INBX${String(chatCounter++).padStart(4, '0')}`;

/** Two pods' notifiers over one gate, reading one chat whose last seq the test moves. */
function twoPods(gate: InboxGate) {
  const chat = { lastSeq: 0 };
  const told: { pod: number; userId: string; update: InboxUpdate }[] = [];
  const feed = async (code: string) => ({
    chat_code: code,
    last_seq: chat.lastSeq,
    last_message: null,
    members: [{ userId: 'u1', unread: chat.lastSeq }],
  });
  const pods = [0, 1].map((pod) => new InboxNotifier(feed, gate, (userId, update) => told.push({ pod, userId, update }), log, WINDOW_MS));
  return { chat, told, pods };
}

function inboxSuite(name: string, makeGate: () => Promise<InboxGate>, close: () => Promise<void> = async () => undefined) {
  describe(`inbox news across pods (${name})`, () => {
    let gate: InboxGate;
    before(async () => {
      gate = await makeGate();
    });
    after(close);

    it('tells once for the changes of one window on both pods, reading after the last of them; a later change is told again', async () => {
      const code = newCode();
      const { chat, told, pods } = twoPods(gate);
      chat.lastSeq = 1;
      pods[0].changed(code);
      chat.lastSeq = 2;
      pods[0].changed(code);
      chat.lastSeq = 3;
      pods[1].changed(code); // pod 0 holds the window: pod 1 leaves the change to it
      await until(() => told.length >= 1, 'the first telling');
      chat.lastSeq = 4;
      pods[1].changed(code);
      await until(() => told.length >= 2, 'the second telling');
      expect(told.map((t) => [t.pod, t.userId, t.update.last_seq, t.update.unread])).to.deep.equal([
        [0, 'u1', 3, 3],
        [1, 'u1', 4, 4],
      ]);
      for (const p of pods) p.close();
    });
  });
}

inboxSuite('memory gate', async () => new MemoryInboxGate());

let redis: RedisHandle;
let client: Redis;
inboxSuite(
  'Redis gate',
  async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    return new RedisInboxGate(client);
  },
  async () => {
    client?.disconnect();
    await redis?.stop();
  },
);
