import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { connectQuietly, createRedisClient, MemoryEngine, RedisEngine, type CacheEngine } from '../../src/cache';
import { createLogger } from '../../src/logger';
import { ENTRIES, UserCache, groupMembers, type UserCacheTtls } from '../../src/users';
import { startRedis, type RedisHandle } from '../support';

const TTLS: UserCacheTtls = { user: 1800, conversation: 600, default: 3600 };
const LIMITS = { maxCount: 500, ttlSeconds: 86_400, pinnedTtlSeconds: 604_800 };
const log = createLogger('silent');

/** A load whose result the test releases, counting how often it ran. */
function gate<T>(value: T) {
  let release!: () => void;
  let began!: () => void;
  const opened = new Promise<void>((r) => (release = r));
  /** resolves when the load has begun (the "database read" is under way) */
  const started = new Promise<void>((r) => (began = r));
  const calls = { n: 0 };
  const load = async () => {
    calls.n++;
    began();
    await opened;
    return value;
  };
  return { load, release, calls, started };
}

/** An engine that can be switched off, as a Redis outage would do to every call. */
function switchable(inner: CacheEngine): { engine: CacheEngine; down: boolean } {
  const state = { down: false, engine: undefined as unknown as CacheEngine };
  state.engine = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => (state.down ? Promise.reject(new Error('connection refused')) : v.apply(target, args));
    },
  });
  return state;
}

const engines: { name: string; make(): Promise<CacheEngine>; stop(): Promise<void> }[] = [
  { name: 'memory engine', make: async () => new MemoryEngine(LIMITS), stop: async () => undefined },
  (() => {
    let redis: RedisHandle | undefined;
    const made: CacheEngine[] = [];
    return {
      name: 'Redis engine',
      make: async () => {
        redis ??= await startRedis();
        const client = createRedisClient({ kind: 'single', url: redis.url }, 'user-cache-test');
        client.on('error', () => undefined);
        await connectQuietly(client);
        const engine = new RedisEngine(client, LIMITS);
        made.push(engine);
        return engine;
      },
      stop: async () => {
        for (const e of made.splice(0)) await e.close();
        await redis?.stop();
        redis = undefined;
      },
    };
  })(),
];

for (const kind of engines) {
  describe(`UserCache (${kind.name})`, function () {
    this.timeout(20_000);
    let engine: CacheEngine;
    let owner: string;

    before(async () => {
      engine = await kind.make();
    });
    after(() => kind.stop());
    beforeEach(() => {
      owner = randomUUID();
    });

    const newCache = (e: CacheEngine = engine) => new UserCache(e, TTLS, log);

    it('loads once, then serves hits from the engine with the entry’s TTL', async () => {
      const cache = newCache();
      let loads = 0;
      const load = async () => ({ n: ++loads });
      expect(await cache.get(owner, ENTRIES.unread, load)).to.deep.equal({ n: 1 });
      expect(await cache.get(owner, ENTRIES.unread, load)).to.deep.equal({ n: 1 });
      expect(await newCache().get(owner, ENTRIES.unread, load), 'another process sees it too').to.deep.equal({ n: 1 });
      expect(loads).to.equal(1);
      expect(await engine.getUserValue(owner, 'unread')).to.be.a('string');
      if (engine instanceof RedisEngine) {
        const ttl = await engine.client.ttl(`user:{${owner}}:unread`);
        expect(ttl).to.be.within(TTLS.conversation - 5, TTLS.conversation);
      }
    });

    it('coalesces 50 concurrent misses into one load', async () => {
      const cache = newCache();
      const g = gate('v');
      const all = Promise.all(Array.from({ length: 50 }, () => cache.get(owner, ENTRIES.profile, g.load)));
      await g.started;
      g.release();
      expect(await all).to.deep.equal(Array(50).fill('v'));
      expect(g.calls.n).to.equal(1);
    });

    it('does not cache a failed load', async () => {
      const cache = newCache();
      let loads = 0;
      const load = async () => {
        if (++loads === 1) throw new Error('db hiccup');
        return 'ok';
      };
      let failed: unknown;
      await cache.get(owner, ENTRIES.profile, load).catch((e) => (failed = e));
      expect(failed).to.be.instanceOf(Error);
      expect(await cache.get(owner, ENTRIES.profile, load)).to.equal('ok');
      expect(loads).to.equal(2);
    });

    it('reads fresh after an invalidation, and only the invalidated group', async () => {
      const cache = newCache();
      await cache.get(owner, ENTRIES.unread, async () => 1);
      await cache.get(owner, ENTRIES.profile, async () => 'p1');
      await cache.invalidate(owner, 'inbox');
      for (const what of groupMembers('inbox')) expect(await engine.getUserValue(owner, what), what).to.equal(null);
      expect(await cache.get(owner, ENTRIES.unread, async () => 2)).to.equal(2);
      expect(await cache.get(owner, ENTRIES.profile, async () => 'p2')).to.equal('p1');
    });

    it('never serves a value read before a write once the write’s invalidation returned', async () => {
      const cache = newCache();
      const old = gate('old');
      const early = cache.get(owner, ENTRIES.unread, old.load);
      await old.started; // it reads the database before the write
      await cache.invalidate(owner, 'inbox'); // the write commits, then invalidates
      old.release();
      expect(await early).to.equal('old'); // it began before the write: allowed
      // …but what it stored afterwards carries a marker the write removed.
      expect(await cache.get(owner, ENTRIES.unread, async () => 'new')).to.equal('new');
      expect(await newCache().get(owner, ENTRIES.unread, async () => 'new')).to.equal('new');
    });

    it('does not hand a read that starts after another process’s write the result of a call begun before it', async () => {
      const podA = newCache();
      const podB = newCache();
      const old = gate('old');
      const early = podB.get(owner, ENTRIES.unread, old.load);
      await old.started;
      await podA.invalidate(owner, 'inbox');
      const late = podB.get(owner, ENTRIES.unread, async () => 'new'); // joins pod B's running call
      old.release();
      expect(await early).to.equal('old');
      expect(await late).to.equal('new');
    });

    it('keeps a username lookup without a generation marker (usernames never change hands)', async () => {
      const cache = newCache();
      const name = `@${owner}`;
      expect(await cache.get(name, ENTRIES.usernameId, async () => 'id-1')).to.equal('id-1');
      expect(await cache.get(name, ENTRIES.usernameId, async () => 'id-2')).to.equal('id-1');
    });

    it('falls back to the database on every engine error and never throws for it', async () => {
      const flaky = switchable(engine);
      const cache = newCache(flaky.engine);
      flaky.down = true;
      let loads = 0;
      for (let i = 0; i < 3; i++) expect(await cache.get(owner, ENTRIES.profile, async () => ++loads)).to.equal(i + 1);
      await cache.invalidate(owner, 'profile'); // does not throw
      expect(cache.stats().errors).to.be.greaterThan(0);
      cache.close();
    });

    it('retries an invalidation the engine refused and bypasses the cache until it lands', async () => {
      const flaky = switchable(engine);
      const cache = newCache(flaky.engine);
      const other = newCache(); // another pod, engine healthy
      expect(await cache.get(owner, ENTRIES.unread, async () => 'old')).to.equal('old');

      flaky.down = true;
      await cache.invalidate(owner, 'inbox'); // the write happened; the cache did not hear of it
      expect(cache.stats().pendingInvalidations).to.equal(1);
      flaky.down = false; // the engine is back, still holding the old value
      expect(await cache.get(owner, ENTRIES.unread, async () => 'new'), 'this process bypasses the cache').to.equal('new');

      await cache.retryInvalidations();
      expect(cache.stats().pendingInvalidations).to.equal(0);
      expect(await other.get(owner, ENTRIES.unread, async () => 'new'), 'the other pod reads fresh').to.equal('new');
      expect(await cache.get(owner, ENTRIES.unread, async () => 'newer'), 'and caching resumed').to.equal('new');
      cache.close();
    });

    it('makes reads wait for tracked invalidation work', async () => {
      const cache = newCache();
      expect(await cache.get(owner, ENTRIES.unread, async () => 1)).to.equal(1);
      let finish!: () => void;
      cache.track(new Promise<void>((r) => (finish = r)).then(() => cache.invalidate(owner, 'inbox')));
      const read = cache.get(owner, ENTRIES.unread, async () => 2);
      finish();
      expect(await read).to.equal(2);
      await cache.settled();
    });
  });
}
