import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { MemoryEngine, RedisEngine, type CacheEngine, type CachedMessage } from '../../src/cache';
import { startRedis, startRedisCluster } from '../support';

const limits = { maxCount: 5, ttlSeconds: 3600, pinnedTtlSeconds: 7200 };

function msg(seq: number, version = seq, extra: Record<string, unknown> = {}): CachedMessage {
  return { seq, version, json: JSON.stringify({ id: `m${seq}`, seq, version, ...extra }) };
}
const seqs = (entries: { seq: number }[]) => entries.map((e) => e.seq);
let n = 0;
const newCode = () => `T${(Date.now() % 1e6).toString(36).toUpperCase()}${(n++).toString(36).toUpperCase()}`.padEnd(8, 'X').slice(0, 8);

/** One contract, every engine: what the services rely on must hold on each of them alike. */
const engines: { name: string; start(): Promise<{ engine: CacheEngine; stop(): Promise<void> }> }[] = [
  { name: 'memory', start: async () => ({ engine: new MemoryEngine(limits), stop: async () => undefined }) },
  {
    name: 'redis',
    start: async () => {
      const server = await startRedis();
      const engine = new RedisEngine(new Redis(server.url), limits);
      return {
        engine,
        stop: async () => {
          await engine.close();
          await server.stop();
        },
      };
    },
  },
  {
    name: 'redis cluster',
    start: async () => {
      const cluster = await startRedisCluster({ masters: 3 });
      const engine = new RedisEngine(new Cluster(cluster.nodes), limits);
      return {
        engine,
        stop: async () => {
          await engine.close();
          await cluster.stop();
        },
      };
    },
  },
];

for (const kind of engines) {
  describe(`cache engine contract: ${kind.name}`, function () {
    this.timeout(30_000);
    let engine: CacheEngine;
    let stop: () => Promise<void>;
    let code: string;

    before(async () => ({ engine, stop } = await kind.start()));
    after(async () => stop());
    beforeEach(() => (code = newCode()));

    it('knows nothing of a chat it never saw', async () => {
      const read = await engine.readPage(code, 'main', { mode: 'newest', limit: 10 });
      expect(read.lastSeq).to.equal(null);
    });

    it('tells a window’s last seq and size in one read, as the page read does, and nothing for an unknown chat', async () => {
      expect(await engine.windowState(code, 'main')).to.equal(null);
      await engine.append(
        code,
        'main',
        [1, 2, 3].map((s) => msg(s)),
      );
      expect(await engine.windowState(code, 'main')).to.deep.equal({ lastSeq: 3, count: 3 });
      expect((await engine.readPage(code, 'main', { mode: 'newest', limit: 2 })).count).to.equal(3);
      await engine.append(
        code,
        'main',
        [4, 5, 6].map((s) => msg(s)),
      );
      expect(await engine.windowState(code, 'main')).to.deep.equal({ lastSeq: 6, count: 5 });
      await engine.rebuild(code, 'main', [msg(5), msg(6)], 6, true);
      expect(await engine.windowState(code, 'main'), 'a member lost changes the size').to.deep.equal({ lastSeq: 6, count: 2 });
      expect(await engine.windowState(code, 'backroom')).to.equal(null);
      await engine.dropMeta(code);
      expect(await engine.windowState(code, 'main')).to.equal(null);
    });

    it('appends by seq and trims the window to the newest maxCount', async () => {
      await engine.append(
        code,
        'main',
        [1, 2, 3, 4, 5, 6, 7].map((s) => msg(s)),
      );
      const info = await engine.windowInfo(code, 'main');
      expect(info).to.include({ count: 5, minSeq: 3, maxSeq: 7 });
      expect(info.ttlSeconds).to.be.within(3590, 3600);
      const read = await engine.readPage(code, 'main', { mode: 'newest', limit: 3 });
      expect(read).to.include({ lastSeq: 7, lo: 5, hi: 7 });
      expect(seqs(read.entries)).to.deep.equal([5, 6, 7]);
    });

    it('accepts appends out of order and keeps the highest seq as last', async () => {
      await engine.append(code, 'main', [msg(2)]);
      await engine.append(code, 'main', [msg(1)]);
      const read = await engine.readPage(code, 'main', { mode: 'newest', limit: 10 });
      expect(read.lastSeq).to.equal(2);
      expect(seqs(read.entries)).to.deep.equal([1, 2]);
    });

    it('reads before and after cursors within the range the seqs imply', async () => {
      await engine.append(
        code,
        'main',
        [1, 2, 3, 4, 5].map((s) => msg(s)),
      );
      const before = await engine.readPage(code, 'main', { mode: 'before', before: 4, limit: 2 });
      expect(before).to.include({ lo: 2, hi: 3 });
      expect(seqs(before.entries)).to.deep.equal([2, 3]);
      const after = await engine.readPage(code, 'main', { mode: 'after', after: 3, limit: 10 });
      expect(after).to.include({ lo: 4, hi: 5 });
      expect(seqs(after.entries)).to.deep.equal([4, 5]);
    });

    it('shows a hole as a missing member, never as a shorter range', async () => {
      await engine.append(
        code,
        'main',
        [1, 2, 4].map((s) => msg(s)),
      );
      const read = await engine.readPage(code, 'main', { mode: 'newest', limit: 10 });
      expect(read).to.include({ lastSeq: 4, lo: 1, hi: 4 });
      expect(seqs(read.entries)).to.deep.equal([1, 2, 4]);
    });

    it('updates only seqs the window holds, and never with an older version', async () => {
      await engine.append(code, 'main', [msg(1), msg(2)]);
      await engine.update(code, 'main', msg(2, 9, { content: 'edited' }));
      await engine.update(code, 'main', msg(2, 5, { content: 'stale' }));
      await engine.update(code, 'main', msg(3, 10));
      const read = await engine.readPage(code, 'main', { mode: 'newest', limit: 10 });
      expect(read.lastSeq).to.equal(2);
      expect(read.entries.map((e) => JSON.parse(e.json).content)).to.deep.equal([undefined, 'edited']);
    });

    it('rebuilds exactly, or merges keeping newer cached versions', async () => {
      await engine.append(code, 'main', [msg(1), msg(2, 7, { content: 'newer' }), msg(3)]);
      await engine.rebuild(code, 'main', [msg(1), msg(2, 2, { content: 'older' })], 2, false);
      let read = await engine.readPage(code, 'main', { mode: 'newest', limit: 10 });
      expect(read.lastSeq).to.equal(3);
      expect(JSON.parse(read.entries[1].json).content).to.equal('newer');
      await engine.rebuild(code, 'main', [msg(1), msg(2, 2, { content: 'exact' })], 2, true);
      read = await engine.readPage(code, 'main', { mode: 'after', after: 0, limit: 10 });
      expect(seqs(read.entries)).to.deep.equal([1, 2]);
      expect(JSON.parse(read.entries[1].json).content).to.equal('exact');
    });

    it('keeps channels apart', async () => {
      await engine.append(code, 'main', [msg(1), msg(2)]);
      await engine.append(code, 'backroom', [msg(1)]);
      expect((await engine.readPage(code, 'backroom', { mode: 'newest', limit: 10 })).lastSeq).to.equal(1);
      expect((await engine.readPage(code, 'main', { mode: 'newest', limit: 10 })).lastSeq).to.equal(2);
    });

    it('forgets a chat whose meta is dropped until it is written again', async () => {
      await engine.append(code, 'main', [msg(1), msg(2)]);
      await engine.dropMeta(code);
      expect((await engine.readPage(code, 'main', { mode: 'newest', limit: 10 })).lastSeq).to.equal(null);
      await engine.append(code, 'main', [msg(3)]);
      const read = await engine.readPage(code, 'main', { mode: 'newest', limit: 10 });
      expect(read.lastSeq).to.equal(3);
    });

    it('keeps active pins, replaces a message pin and drops expired ones', async () => {
      const now = Date.now();
      expect(await engine.readPins(code, now)).to.equal(null);
      await engine.rebuildPins(code, [{ messageId: 'a', pinnedUntilMs: now + 60_000, json: '{"id":"a","v":1}' }], now);
      expect(await engine.writePin(code, { messageId: 'a', pinnedUntilMs: now + 90_000, json: '{"id":"a","v":2}' }, now)).to.equal(true);
      expect(await engine.writePin(code, { messageId: 'b', pinnedUntilMs: now + 30_000, json: '{"id":"b"}' }, now)).to.equal(true);
      expect(await engine.writePin(code, { messageId: 'c', pinnedUntilMs: now - 1, json: '{"id":"c"}' }, now)).to.equal(true);
      const pins = await engine.readPins(code, now);
      expect(pins!.map((p) => p.json)).to.deep.equal(['{"id":"b"}', '{"id":"a","v":2}']);
      // an expired (or cleared) pin takes the message out
      await engine.writePin(code, { messageId: 'b', pinnedUntilMs: 0, json: '{"id":"b"}' }, now);
      expect((await engine.readPins(code, now))!.map((p) => p.json)).to.deep.equal(['{"id":"a","v":2}']);
    });

    it('writes a pin only into a cached pinned set: alone in a new one, it would hide the others', async () => {
      const now = Date.now();
      expect(await engine.writePin(code, { messageId: 'a', pinnedUntilMs: now + 60_000, json: '{"id":"a"}' }, now)).to.equal(false);
      expect(await engine.readPins(code, now)).to.equal(null);
    });

    it('stores reaction counts as a hash and drops zero counts', async () => {
      const id = randomUUID();
      await engine.writeReactions(code, id, { '👍': 2, '🎉': 0 });
      expect(await engine.readReactions(code, id)).to.deep.equal({ '👍': 2 });
      await engine.writeReactions(code, id, {});
      expect(await engine.readReactions(code, id)).to.equal(null);
    });

    it('drops every key of a chat', async () => {
      const id = randomUUID();
      await engine.append(code, 'main', [msg(1)]);
      await engine.writeReactions(code, id, { '👍': 1 });
      await engine.dropChat(code);
      expect((await engine.readPage(code, 'main', { mode: 'newest', limit: 10 })).lastSeq).to.equal(null);
      expect(await engine.readReactions(code, id)).to.equal(null);
    });

    it('shares one repair queue without duplicates', async () => {
      await engine.pushRepair([code, code, `${code}2`]);
      expect(await engine.repairDepth()).to.be.at.least(2);
      const popped = await engine.popRepair(100);
      expect(popped).to.include.members([code, `${code}2`]);
      expect(popped.filter((c) => c === code)).to.have.length(1);
    });

    it('keeps per-user values with their TTL and deletes them', async () => {
      const user = randomUUID();
      await engine.setUserValue(user, 'profile', '{"a":1}', 60);
      await engine.setUserValue(user, 'unread', '3', 60);
      expect(await engine.getUserValue(user, 'profile')).to.equal('{"a":1}');
      await engine.deleteUserValues(user, ['unread']);
      expect(await engine.getUserValue(user, 'unread')).to.equal(null);
      await engine.deleteUserValues(user);
      expect(await engine.getUserValue(user, 'profile')).to.equal(null);
    });
  });
}
