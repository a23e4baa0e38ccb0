import { expect } from 'chai';
import Redis from 'ioredis';
import { createLogger } from '../../src/logger';
import { MemoryPresenceStore, PresenceTracker, RedisPresenceStore, type PresenceStore, type PresenceUpdate } from '../../src/realtime';
import { startRedis, type RedisHandle } from '../support';

const FAST = { heartbeatMs: 60, ttlMs: 250, debounceMs: 5 };
const log = createLogger('silent');
let chatCounter = 0;
const newCode = () => `PRES${String(chatCounter++).padStart(4, '0')}`;

/** Two pods' trackers over one store, wired to each other as the adapter would. */
function twoPods(store: PresenceStore) {
  const seen: PresenceUpdate[][] = [[], []];
  const trackers: PresenceTracker[] = [];
  for (const i of [0, 1]) {
    trackers.push(
      new PresenceTracker(
        store,
        `pod-${i}`,
        { local: (u) => seen[i].push(u), others: (code) => trackers[1 - i].remoteChanged(code) },
        log,
        FAST,
      ),
    );
  }
  const until = (pod: number, online: string[], what: string) =>
    new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 3000;
      const poll = () => {
        if (JSON.stringify(seen[pod].at(-1)?.online) === JSON.stringify(online)) return resolve();
        if (Date.now() > deadline) return reject(new Error(`pod ${pod} never showed ${what}; last: ${JSON.stringify(seen[pod].at(-1))}`));
        setTimeout(poll, 10);
      };
      poll();
    });
  return { trackers, seen, until };
}

function presenceSuite(name: string, makeStore: () => Promise<PresenceStore>, close: () => Promise<void> = async () => undefined) {
  describe(`presence across pods (${name})`, () => {
    let store: PresenceStore;
    before(async () => {
      store = await makeStore();
    });
    after(async () => {
      await store.close();
      await close();
    });

    it('counts a user once however many connections it has, and shows joins on every pod', async () => {
      const code = newCode();
      const { trackers, until } = twoPods(store);
      await trackers[0].add(code, 's1', 'alice');
      await trackers[1].add(code, 's2', 'bob');
      await trackers[1].add(code, 's3', 'alice');
      await until(0, ['alice', 'bob'], 'alice and bob');
      await until(1, ['alice', 'bob'], 'alice and bob');
      expect(await trackers[0].online(code)).to.deep.equal(['alice', 'bob']);
      await trackers[0].remove(code, 's1'); // alice is still there through s3
      expect(await trackers[1].onlineCount(code)).to.equal(2);
      await trackers[1].removeAll('s3');
      await until(1, ['bob'], 'only bob');
      expect(await trackers[0].online(code)).to.deep.equal(['bob']);
      for (const t of trackers) await t.close();
    });

    it('drops the users of a pod that stops refreshing (killed) after the TTL, and keeps the rest', async () => {
      const code = newCode();
      const { trackers, until } = twoPods(store);
      // Pod 0 never starts its heartbeat: after its first write it behaves like a SIGKILLed pod.
      await trackers[0].add(code, 'k1', 'carol');
      trackers[1].start();
      await trackers[1].add(code, 'k2', 'dave');
      await until(1, ['carol', 'dave'], 'carol and dave');
      await until(1, ['dave'], 'carol expired');
      await new Promise((r) => setTimeout(r, FAST.ttlMs + FAST.heartbeatMs)); // dave outlives a TTL through heartbeats
      expect(await trackers[1].online(code)).to.deep.equal(['dave']);
      await trackers[1].close();
      expect(await store.online(code)).to.deep.equal([]); // a clean stop removes its users at once
    });
  });
}

presenceSuite('memory store', async () => new MemoryPresenceStore());

let redis: RedisHandle;
presenceSuite(
  'Redis store',
  async () => {
    redis = await startRedis();
    return new RedisPresenceStore(new Redis(redis.url));
  },
  async () => redis?.stop(),
);
