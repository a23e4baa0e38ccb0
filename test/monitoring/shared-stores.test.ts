import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisClient, keys, type RedisClient } from '../../src/cache';
import { migrateUp, openOrm, type Orm } from '../../src/db';
import {
  DatabaseSettingsStore,
  Monitor,
  RedisSettingsStore,
  RedisSnapshotBoard,
  SNAPSHOT_TTL_SECONDS,
  type SettingsStore,
  type SnapshotBoard,
} from '../../src/monitoring';
import { createTestDatabase, startRedis, startRedisCluster, type RedisClusterHandle, type RedisHandle } from '../support';

/** A snapshot of a monitor that saw one cache read of `code`. */
function snapshotOf(pod: string, code = 'BOARD001') {
  const monitor = new Monitor({ pod, enabled: true });
  monitor.record({ op: 'cache.read', chatCode: code, result: 'hit', count: 3, durationMs: 0.5 });
  return monitor.snapshot();
}

function settingsContract(name: string, open: () => Promise<{ store: SettingsStore; other: SettingsStore; dispose(): Promise<void> }>) {
  describe(`settings store: ${name}`, function () {
    this.timeout(30_000);
    let ctx: Awaited<ReturnType<typeof open>>;

    before(async () => {
      ctx = await open();
    });
    after(async () => ctx?.dispose());

    it('holds nothing until a setting is written, then every reader sees the last write', async () => {
      expect(await ctx.store.read()).to.deep.equal({});
      await ctx.store.write({ enable_monitoring: true });
      expect(await ctx.other.read()).to.deep.equal({ enable_monitoring: true });
      await ctx.other.write({ enable_monitoring: false });
      expect(await ctx.store.read()).to.deep.equal({ enable_monitoring: false });
    });
  });
}

async function sqliteStores() {
  const dir = mkdtempSync(join(tmpdir(), 'chatpop-settings-'));
  const url = `sqlite://${join(dir, 'db.sqlite')}`;
  const first = await openOrm(url);
  await migrateUp(first);
  const second = await openOrm(url);
  return {
    store: new DatabaseSettingsStore(first),
    other: new DatabaseSettingsStore(second),
    dispose: async () => {
      await Promise.all([first.close(true), second.close(true)]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresStores() {
  const db = await createTestDatabase();
  const orms: Orm[] = [await openOrm(db.url), await openOrm(db.url)];
  await migrateUp(orms[0]);
  return {
    store: new DatabaseSettingsStore(orms[0]),
    other: new DatabaseSettingsStore(orms[1]),
    dispose: async () => {
      await Promise.all(orms.map((o) => o.close(true)));
      await db.drop();
    },
  };
}

async function redisStores() {
  const redis = await startRedis();
  const clients = [
    createRedisClient({ kind: 'single', url: redis.url }, 'test'),
    createRedisClient({ kind: 'single', url: redis.url }, 'test'),
  ];
  await Promise.all(clients.map((c) => c.connect()));
  return {
    store: new RedisSettingsStore(clients[0]),
    other: new RedisSettingsStore(clients[1]),
    dispose: async () => {
      clients.forEach((c) => c.disconnect());
      await redis.stop();
    },
  };
}

settingsContract('SQLite', sqliteStores);
settingsContract('PostgreSQL', postgresStores);
settingsContract('Redis', redisStores);

describe('settings store: a value it cannot read', () => {
  let redis: RedisHandle;
  let client: RedisClient;
  before(async () => {
    redis = await startRedis();
    client = createRedisClient({ kind: 'single', url: redis.url }, 'test');
    await client.connect();
  });
  after(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('counts as unset, so the default applies', async () => {
    await client.hset(keys.settings, { enable_monitoring: '"yes"', other_setting: '1' });
    expect(await new RedisSettingsStore(client).read()).to.deep.equal({});
    await client.hset(keys.settings, { enable_monitoring: '{not json' });
    expect(await new RedisSettingsStore(client).read()).to.deep.equal({});
  });
});

function boardContract(name: string, open: () => Promise<{ client: RedisClient; dispose(): Promise<void> }>) {
  describe(`snapshot board on ${name}`, function () {
    this.timeout(30_000);
    let client: RedisClient;
    let dispose: () => Promise<void>;
    let board: SnapshotBoard;

    before(async () => {
      ({ client, dispose } = await open());
      board = new RedisSnapshotBoard(client);
    });
    after(async () => dispose?.());

    it('lists the latest snapshot of every pod, each key with a short TTL', async () => {
      await board.publish(snapshotOf('pod-1'));
      await board.publish(snapshotOf('pod-2', 'BOARD002'));
      const newer = snapshotOf('pod-1', 'BOARD003');
      await board.publish(newer);
      const listed = (await board.list()).sort((a, b) => a.pod.localeCompare(b.pod));
      expect(listed.map((s) => s.pod)).to.deep.equal(['pod-1', 'pod-2']);
      expect(listed[0]).to.deep.equal(newer);
      const ttl = await client.pttl(keys.monitorPod('pod-1'));
      expect(ttl)
        .to.be.above(0)
        .and.at.most(SNAPSHOT_TTL_SECONDS * 1000);
    });

    it('forgets a removed pod, and a pod whose snapshot expired', async () => {
      await board.publish(snapshotOf('pod-gone'));
      await board.publish(snapshotOf('pod-expired'));
      await board.remove('pod-gone');
      // Expiry as Redis does it: the key is gone (the sorted set entry may outlive it).
      await client.del(keys.monitorPod('pod-expired'));
      const pods = (await board.list()).map((s) => s.pod);
      expect(pods).not.to.include('pod-gone');
      expect(pods).not.to.include('pod-expired');
    });

    it('skips a damaged snapshot and still shows the others', async () => {
      await board.publish(snapshotOf('pod-ok'));
      await client.zadd(keys.monitorPods, Date.now() + 10_000, 'pod-bad');
      await client.set(keys.monitorPod('pod-bad'), '{"pod":', 'EX', 10);
      const pods = (await board.list()).map((s) => s.pod);
      expect(pods).to.include('pod-ok');
      expect(pods).not.to.include('pod-bad');
    });
  });
}

boardContract('Redis', async () => {
  const redis = await startRedis();
  const client = createRedisClient({ kind: 'single', url: redis.url }, 'test');
  await client.connect();
  return {
    client,
    dispose: async () => {
      client.disconnect();
      await redis.stop();
    },
  };
});

boardContract('Redis Cluster (one slot for every monitor key)', async () => {
  const cluster: RedisClusterHandle = await startRedisCluster({ masters: 3 });
  const client = createRedisClient({ kind: 'cluster', nodes: cluster.nodes }, 'test');
  await client.connect();
  return {
    client,
    dispose: async () => {
      client.disconnect();
      await cluster.stop();
    },
  };
});
