import { expect } from 'chai';
import Redis from 'ioredis';
import {
  createTestDatabase,
  startRedisCluster,
  startTestApp,
  type RedisClusterHandle,
  type Stack,
  type TestApp,
  type TestDatabase,
} from '../support';
import { jsonOf, runJob } from './job-process';
import { seedChat, type SeededChat } from './seed';

/** Every key matching `pattern` on one node (SCAN never crosses nodes). */
async function scanNode(node: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found;
}

describe('jobs: inspect and clear-cache on a Redis Cluster', function () {
  this.timeout(30_000);
  let cluster: RedisClusterHandle;
  let pg: TestDatabase;
  let t: TestApp;
  let masters: Redis[];
  let env: Record<string, string>;
  const chats: SeededChat[] = [];

  before(async function () {
    this.timeout(90_000);
    [cluster, pg] = await Promise.all([startRedisCluster({ masters: 3 }), createTestDatabase()]);
    env = { DATABASE_URL: pg.url, REDIS_CLUSTER_NODES: cluster.nodesEnv };
    const stack: Stack = { name: 'postgres+redis', env, dispose: async () => undefined };
    t = await startTestApp(stack);
    masters = cluster.nodes.map((n) => new Redis(n.port, n.host));
    // Chats land on masters by their code's hash slot: seed until at least two masters hold some.
    const holding = async () => (await Promise.all(masters.map((m) => scanNode(m, 'chat:*')))).filter((k) => k.length).length;
    while (chats.length < 3 || ((await holding()) < 2 && chats.length < 12))
      chats.push(await seedChat(t.base, { backroom: 0, reactions: false }));
    expect(await holding()).to.be.at.least(2);
  });

  after(async () => {
    for (const m of masters ?? []) m.disconnect();
    await t?.close();
    await cluster?.stop();
    await pg?.drop();
  });

  it('--list finds the keys of every chat, whichever master holds them', async () => {
    const r = await runJob('inspect', ['--list'], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^cache engine: redis \(cluster, 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\)\n/);
    for (const c of chats) {
      expect(r.stdout).to.match(new RegExp(`chat:\\{${c.code}\\}:messages\\s+zset\\s+6\\s+(1d|23h 59m)\\s+[\\d.]+ (B|KiB)\\s`));
      expect(r.stdout).to.match(new RegExp(`chat:\\{${c.code}\\}:pinned\\s+zset\\s+1\\s`));
    }
    const total = (await Promise.all(masters.map((m) => scanNode(m, 'chat:*')))).flat().length;
    expect(r.stdout).to.contain(`${total} keys matching chat:{*}:* in ${chats.length} chats\n`);
    const doc = jsonOf(await runJob('inspect', ['--list', '--json'], env));
    expect(doc).to.deep.include({ topology: 'cluster', totals: { keys: total, chats: chats.length, shown: total, measured: total } });
    // MEMORY USAGE reached the master of each key's slot.
    for (const k of doc.keys) expect(k.memory_bytes, k.key).to.be.above(0);
  });

  it('--chat --compare and --stats work across the cluster', async () => {
    const [compare, stats] = await Promise.all([
      runJob('inspect', ['--chat', chats[0].code, '--compare'], env),
      runJob('inspect', ['--stats', '--json'], env),
    ]);
    expect(compare.code, compare.stdout + compare.stderr).to.equal(0);
    expect(compare.stdout).to.contain('result: in sync');
    expect(jsonOf(stats)).to.deep.include({ chats_cached: chats.length, messages_cached: 6 * chats.length, pinned_caches: chats.length });
  });

  it('clear-cache stats sums memory over the masters, and all --force deletes chat keys on every master', async () => {
    const stats = await runJob('clear-cache', ['stats'], env);
    expect(stats.code, stats.stderr).to.equal(0);
    expect(stats.stdout).to.match(/memory\s+[\d.]+M used, policy noeviction over 3 masters/);
    expect(stats.stdout).to.contain(`${chats.length} chats)`);

    const all = await runJob('clear-cache', ['all', '--force'], env);
    expect(all.code, all.stderr).to.equal(0);
    for (const m of masters) expect(await scanNode(m, 'chat:*')).to.deep.equal([]);
    // The database still has every message: a read rebuilds the window.
    const history = await chats[0].guest.get(`/api/chats/${chats[0].code}/messages`);
    expect(history.body.source).to.equal('db');
    expect(history.body.messages).to.have.length(6);
  });
});
