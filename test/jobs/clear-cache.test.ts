import { expect } from 'chai';
import Redis from 'ioredis';
import { keys } from '../../src/cache';
import { ApiClient, createTestDatabase, freePort, startStack, startTestApp, type Stack, type TestApp, type TestDatabase } from '../support';
import { jsonOf, runJob } from './job-process';
import { age, chatKeys, key, seedChat, seedUsers, type SeededChat } from './seed';

const clearCache = (args: string[], env: Record<string, string | undefined>) => runJob('clear-cache', args, env);

/** About 55 hours: older than `--hours=48`, younger than `--hours=100`. */
const AGED_SECONDS = 200_000;

async function scanAll(redis: Redis, pattern: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    found.push(...batch);
  } while (cursor !== '0');
  return found.sort();
}

/** Reads that cache per-user state (profile, conversation list, unread count). */
async function touchUserState(user: ApiClient) {
  for (const path of ['/api/me', '/api/me/conversations', '/api/me/unread-count']) {
    const r = await user.get(path);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

describe('jobs: clear-cache on PostgreSQL + Redis', function () {
  this.timeout(30_000);
  let stack: Stack;

  before(async function () {
    this.timeout(60_000);
    stack = await startStack('postgres+redis');
  });

  after(() => stack?.dispose());

  /**
   * An app on its own Redis database (so clean-ups in one block never see another's keys). The app
   * is closed before the jobs run, so its repair poller cannot race them.
   */
  function onRedisDb(index: number, opts: { ownDatabase?: boolean } = {}) {
    const ctx = {} as { env: Record<string, string>; redis: Redis; app: TestApp; hostId: string; memberId: string; pg?: TestDatabase };
    before(async function () {
      this.timeout(30_000);
      const url = `${stack.env.REDIS_URL}/${index}`;
      if (opts.ownDatabase) ctx.pg = await createTestDatabase();
      ctx.env = { DATABASE_URL: ctx.pg?.url ?? stack.env.DATABASE_URL, REDIS_URL: url };
      ctx.app = await startTestApp(stack, ctx.env);
      ctx.redis = new Redis(url);
      const users = await seedUsers(ctx.app.base);
      ctx.hostId = users.host.id;
      ctx.memberId = users.member.id;
    });
    after(async () => {
      ctx.redis?.disconnect();
      await ctx.app?.close();
      await ctx.pg?.drop();
    });
    return ctx;
  }

  describe('stats', () => {
    const db = onRedisDb(1);
    let chats: SeededChat[];

    before(async () => {
      chats = [await seedChat(db.app.base), await seedChat(db.app.base)];
      const users = await seedUsers(db.app.base);
      await touchUserState(users.host.api);
      await touchUserState(users.member.api);
      await db.app.close();
      await db.redis.sadd(keys.repairQueue, chats[0].code, chats[1].code);
      // Presence: one chat with two live connections (as a pod's heartbeat keeps them).
      await db.redis.zadd(keys.online(chats[0].code), Date.now() + 600_000, 'pod-0/a|alice', Date.now() + 600_000, 'pod-0/b|bob');
    });

    it('reports chat windows, user-state keys, Redis memory and the repair-queue depth', async () => {
      const [userKeys, chatKeyNames] = await Promise.all([scanAll(db.redis, 'user:*'), scanAll(db.redis, 'chat:*')]);
      expect(userKeys.length).to.be.above(0);
      const r = await clearCache(['stats'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('chat windows     2 main, 2 back room, 14 messages (2 chats)');
      expect(r.stdout).to.contain(`chat keys        ${chatKeyNames.length} (meta 2, pinned 2, reactions 2, presence 1)`);
      expect(r.stdout).to.contain('presence         1 chat online, 2 connections\n');
      expect(r.stdout).to.match(new RegExp(`user-state keys  ${userKeys.length} \\(\\d+ users; .*profile 2`));
      expect(r.stdout).to.match(/memory           [\d.]+[KMG] used, policy noeviction\n/);
      expect(r.stdout).to.contain('repair queue     waiting 2, active 0, failed 0');
    });

    it('--json carries the same numbers', async () => {
      const doc = jsonOf(await clearCache(['stats', '--json'], db.env));
      expect(doc.chat_keys).to.include({ chats: 2, windows: 2, backroom: 2, pinned: 2, reactions: 2, messages: 14 });
      expect(doc.chat_keys).to.include({ presence: 1, connections: 2 });
      expect(doc.user_state.keys).to.equal((await scanAll(db.redis, 'user:*')).length);
      expect(doc.user_state.by_kind.profile).to.equal(2);
      expect(doc.memory.used_bytes).to.be.above(0);
      expect(doc.repair_queue).to.deep.equal({ waiting: 2, active: 0, failed: 0 });
    });
  });

  describe('all', () => {
    const db = onRedisDb(2);

    before(async () => {
      await seedChat(db.app.base);
      await touchUserState((await seedUsers(db.app.base)).host.api);
      await db.app.close();
      await db.redis.sadd(keys.repairQueue, 'QUEUED01');
      await db.redis.set('unrelated:key', 'stays');
    });

    it('refuses without --force when there is no terminal and deletes nothing', async () => {
      const [chatBefore, userBefore] = await Promise.all([scanAll(db.redis, 'chat:*'), scanAll(db.redis, 'user:*')]);
      const r = await clearCache(['all'], db.env);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.contain(
        `will delete ${chatBefore.length} chat keys and ${userBefore.length} user-state keys; the repair queue (1 waiting) is kept`,
      );
      expect(r.stderr).to.equal(
        `clear-cache: refusing to delete ${chatBefore.length + userBefore.length} cache keys without --force: there is no terminal to confirm on\n`,
      );
      expect(await scanAll(db.redis, 'chat:*')).to.deep.equal(chatBefore);
    });

    it('with --force deletes every chat and user key, keeps the queue and other keys; --queue empties the queue', async () => {
      const [chatBefore, userBefore] = await Promise.all([scanAll(db.redis, 'chat:*'), scanAll(db.redis, 'user:*')]);
      const r = await clearCache(['all', '--force'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`deleted ${chatBefore.length} chat keys and ${userBefore.length} user-state keys\n`);
      expect(await scanAll(db.redis, 'chat:*')).to.deep.equal([]);
      expect(await scanAll(db.redis, 'user:*')).to.deep.equal([]);
      expect(await db.redis.scard(keys.repairQueue)).to.equal(1);
      expect(await db.redis.get('unrelated:key')).to.equal('stays');

      const q = await clearCache(['all', '--queue', '--force', '--json'], db.env);
      expect(q.code, q.stderr).to.equal(0);
      expect(jsonOf(q)).to.deep.include({ queue_waiting: 1, clear_queue: true, deleted: { chat_keys: 0, user_keys: 0, queue: true } });
      expect(await db.redis.scard(keys.repairQueue)).to.equal(0);

      // with nothing left, there is nothing to confirm
      const empty = await clearCache(['all'], db.env);
      expect(empty.code, empty.stderr).to.equal(0);
      expect(empty.stdout).to.contain('deleted 0 chat keys and 0 user-state keys');
    });
  });

  describe('old', () => {
    const db = onRedisDb(3);
    let idle: SeededChat;
    let fresh: SeededChat;
    let partly: SeededChat;
    let agedUserKeys: string[];

    before(async () => {
      [idle, fresh, partly] = [await seedChat(db.app.base), await seedChat(db.app.base), await seedChat(db.app.base)];
      const users = await seedUsers(db.app.base);
      await touchUserState(users.host.api);
      await touchUserState(users.member.api);
      await db.app.close();
      await age(db.redis, await chatKeys(db.redis, idle.code), AGED_SECONDS);
      // Every key of this chat is old but its meta, which was read a moment ago.
      await age(
        db.redis,
        (await chatKeys(db.redis, partly.code)).filter((k) => k !== key.meta(partly.code)),
        AGED_SECONDS,
      );
      agedUserKeys = await scanAll(db.redis, `user:{${db.hostId}}:*`);
      await age(db.redis, agedUserKeys, AGED_SECONDS);
    });

    it('lists chats and user states idle longer than 24 hours by default, and refuses without --force', async () => {
      const r = await clearCache(['old'], db.env);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.contain(`idle longer than 1d: 1 chat, ${agedUserKeys.length} user-state keys`);
      expect(r.stdout).to.match(new RegExp(`  chat ${idle.code}  idle 2d 7h  \\d+ keys`));
      for (const k of agedUserKeys) expect(r.stdout).to.contain(`  ${k}  idle 2d 7h`);
      expect(r.stdout).to.not.contain(fresh.code);
      expect(r.stdout).to.not.contain(partly.code);
      expect(r.stderr).to.match(/refusing to delete \d+ idle cache keys without --force/);
    });

    it('--hours=N moves the threshold; nothing to delete needs no confirmation', async () => {
      const r = await clearCache(['old', '--hours=100'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('nothing idle longer than 4d 4h');
      expect(await chatKeys(db.redis, idle.code)).to.not.deep.equal([]);
    });

    it('with --force deletes the idle chat and user states and keeps everything touched since', async () => {
      const [freshKeys, partlyKeys, memberKeys] = await Promise.all([
        chatKeys(db.redis, fresh.code),
        chatKeys(db.redis, partly.code),
        scanAll(db.redis, `user:{${db.memberId}}:*`),
      ]);
      const r = await clearCache(['old', '--hours=48', '--force'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`deleted \\d+ chat keys of 1 idle chat and ${agedUserKeys.length} user-state keys`));
      expect(await chatKeys(db.redis, idle.code)).to.deep.equal([]);
      expect(await scanAll(db.redis, `user:{${db.hostId}}:*`)).to.deep.equal([]);
      expect(await chatKeys(db.redis, fresh.code)).to.deep.equal(freshKeys);
      expect(await chatKeys(db.redis, partly.code)).to.deep.equal(partlyKeys);
      expect(await scanAll(db.redis, `user:{${db.memberId}}:*`)).to.deep.equal(memberKeys);
    });
  });

  describe('user ID', () => {
    const db = onRedisDb(4);
    let chat: SeededChat;
    let memberName: string;

    before(async () => {
      chat = await seedChat(db.app.base);
      const users = await seedUsers(db.app.base);
      await touchUserState(users.host.api);
      await touchUserState(users.member.api);
      memberName = users.member.name;
      // Someone looks the member up by name: the name lookup is cached too.
      const lookup = await users.host.api.get(`/api/users/${memberName}`);
      if (lookup.status !== 200) throw new Error(`lookup: ${lookup.status}`);
      await db.app.close();
    });

    it("lists that user's keys and refuses without --force", async () => {
      const hostKeys = await scanAll(db.redis, `user:{${db.hostId}}:*`);
      expect(hostKeys).to.include(`user:{${db.hostId}}:profile`);
      const r = await clearCache(['user', db.hostId], db.env);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(new RegExp(`will delete ${hostKeys.length} keys of user ${db.hostId} \\(@\\w+\\):`));
      for (const k of hostKeys) expect(r.stdout).to.contain(k);
      expect(await scanAll(db.redis, `user:{${db.hostId}}:*`)).to.deep.equal(hostKeys);
    });

    it("with --force deletes only that user's cached state", async () => {
      const [hostKeys, memberKeys, chatKeyNames] = await Promise.all([
        scanAll(db.redis, `user:{${db.hostId}}:*`),
        scanAll(db.redis, `user:{${db.memberId}}:*`),
        chatKeys(db.redis, chat.code),
      ]);
      const r = await clearCache(['user', db.hostId.toUpperCase(), '--force'], db.env); // as pasted from elsewhere
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`deleted ${hostKeys.length} keys of user ${db.hostId} (@`);
      expect(await scanAll(db.redis, `user:{${db.hostId}}:*`)).to.deep.equal([]);
      expect(await scanAll(db.redis, `user:{${db.memberId}}:*`)).to.deep.equal(memberKeys);
      expect(await chatKeys(db.redis, chat.code)).to.deep.equal(chatKeyNames);
    });

    it('refuses an id that could match other users, with a usage error', async () => {
      const r = await clearCache(['user', '*'], db.env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('must be a user id (UUID) or @username');
    });

    it('refuses a word that is neither a UUID nor @username, with a usage error', async () => {
      const r = await clearCache(['user', 'nobody', '--force'], db.env);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.contain('must be a user id (UUID) or @username');
    });

    it('exits 1 naming the user when the database has no such user, by name or by id', async () => {
      const [byName, byId] = await Promise.all([
        clearCache(['user', '@nobody_here', '--force'], db.env),
        clearCache(['user', '0b7e4c2a-1d3f-4e5a-9b6c-7d8e9f0a1b2c', '--force'], db.env),
      ]);
      expect(byName.code).to.equal(1);
      expect(byName.stderr).to.match(/^clear-cache: no user named nobody_here in the database/);
      expect(byId.code).to.equal(1);
      expect(byId.stderr).to.match(/^clear-cache: no user with id 0b7e4c2a-1d3f-4e5a-9b6c-7d8e9f0a1b2c in the database/);
    });

    it('@username finds the state a read of the user cached under its id, and its name lookup', async () => {
      const memberKeys = await scanAll(db.redis, `user:{${db.memberId}}:*`);
      const lookupKey = `user:{@${memberName.toLowerCase()}}:id`;
      expect(memberKeys).to.include(`user:{${db.memberId}}:profile`);
      expect(await db.redis.exists(lookupKey)).to.equal(1);
      const r = await clearCache(['user', `@${memberName.toUpperCase()}`, '--force'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`deleted ${memberKeys.length + 1} keys of user ${db.memberId} (@${memberName.toLowerCase()})`);
      expect(await scanAll(db.redis, `user:{${db.memberId}}:*`)).to.deep.equal([]);
      expect(await db.redis.exists(lookupKey)).to.equal(0);
    });
  });

  describe('maintenance', () => {
    const db = onRedisDb(6);
    let idle: SeededChat;
    let fresh: SeededChat;

    before(async () => {
      [idle, fresh] = [await seedChat(db.app.base), await seedChat(db.app.base)];
      await db.app.close();
      await age(db.redis, await chatKeys(db.redis, idle.code), AGED_SECONDS);
    });

    it('clears what is idle without asking and reports as one JSON line for the CronJob log', async () => {
      const [idleKeys, freshKeys] = await Promise.all([chatKeys(db.redis, idle.code), chatKeys(db.redis, fresh.code)]);
      const r = await clearCache(['maintenance', '--hours=48'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.split('\n')).to.have.length(2); // one line and its newline
      const report = jsonOf(r);
      expect(report).to.deep.include({ job: 'maintenance', hours: 48, cleared: { chats: 1, chat_keys: idleKeys.length, user_keys: 0 } });
      expect(report.stats.chat_keys).to.include({ chats: 1, total: freshKeys.length });
      expect(report.duration_ms).to.be.a('number');
      expect(await chatKeys(db.redis, idle.code)).to.deep.equal([]);
      expect(await chatKeys(db.redis, fresh.code)).to.deep.equal(freshKeys);
    });

    it('leaves the idle time of what it keeps alone, so a later `old` still finds it', async () => {
      const freshKeys = await chatKeys(db.redis, fresh.code);
      await age(db.redis, freshKeys, 7200); // two hours: kept by --hours=48
      const r = await clearCache(['maintenance', '--hours=48'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(jsonOf(r).stats.chat_keys).to.include({ chats: 1, messages: null });
      for (const k of freshKeys) expect(Number(await db.redis.object('IDLETIME', k)), k).to.be.at.least(7200);
      const old = await clearCache(['old', '--hours=1'], db.env); // lists, then refuses without --force
      expect(old.stdout).to.contain(`idle longer than 1h: 1 chat`).and.contain(`chat ${fresh.code}  idle 2h`);
    });
  });

  describe('--pre-upgrade', () => {
    const db = onRedisDb(7);
    let queued: SeededChat;

    before(async () => {
      queued = await seedChat(db.app.base);
      await touchUserState((await seedUsers(db.app.base)).host.api);
      await db.app.close();
    });

    it('drains the repair queue by rebuilding each waiting chat, drops unknown chats and keeps user state', async () => {
      await db.redis.del(key.messages(queued.code), key.meta(queued.code));
      await db.redis.sadd(keys.repairQueue, queued.code, 'NOCHAT00');
      const userKeys = await scanAll(db.redis, 'user:*');
      const r = await clearCache(['--pre-upgrade'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('pre-upgrade: drained the repair queue: rebuilt 1 chat, skipped 1 unknown, 0 failed; 0 still waiting');
      expect(r.stdout).to.contain(`user state kept (${userKeys.length} keys)`);
      expect(await db.redis.scard(keys.repairQueue)).to.equal(0);
      expect(await db.redis.zcard(key.messages(queued.code))).to.equal(6);
      expect(await db.redis.hget(key.meta(queued.code), 'main')).to.equal('6');
      expect(await scanAll(db.redis, 'user:*')).to.deep.equal(userKeys);
    });
  });

  describe('--post-upgrade', () => {
    // Its own database: "the most recently active chats" must be only this block's.
    const db = onRedisDb(8, { ownDatabase: true });
    let hot: SeededChat[];
    let quiet: SeededChat;

    before(async function () {
      this.timeout(30_000);
      hot = [await seedChat(db.app.base), await seedChat(db.app.base), await seedChat(db.app.base)];
      quiet = await seedChat(db.app.base, { messages: 0, backroom: 0, pin: false, reactions: false });
      await db.app.close();
    });

    it('rebuilds the windows of the most recently active chats from the database, replacing stale entries', async () => {
      for (const c of hot) await db.redis.del(...(await chatKeys(db.redis, c.code)));
      const [first] = await db.redis.zrangebyscore(key.messages(hot[0].code), 2, 2);
      expect(first).to.equal(undefined);
      await db.redis.zadd(key.messages(hot[0].code), 2, JSON.stringify({ id: hot[0].ids[1], seq: 2, content: 'stale' }));
      const r = await clearCache(['--post-upgrade'], db.env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('post-upgrade: rebuilt the windows of 3 hot chats, 0 failed');
      for (const c of hot) {
        expect(await db.redis.zcard(key.messages(c.code)), c.code).to.equal(6);
        expect(await db.redis.zcard(key.pinned(c.code)), c.code).to.equal(1);
      }
      const [rebuilt] = await db.redis.zrangebyscore(key.messages(hot[0].code), 2, 2);
      expect(JSON.parse(rebuilt)).to.include({ id: hot[0].ids[1], content: 'message 2' });
      expect(await db.redis.zcard(key.messages(quiet.code))).to.equal(0);
      const json = jsonOf(await clearCache(['--post-upgrade', '--json'], db.env));
      expect([...json.rebuilt].sort()).to.deep.equal(hot.map((c) => c.code).sort());
    });
  });

  describe('usage and failures', () => {
    it('exits 2 on usage errors', async () => {
      const cases: [string[], RegExp][] = [
        [[], /give a command/],
        [['sweep'], /unknown command 'sweep'/],
        [['--pre-upgrade', '--post-upgrade'], /choose one of --pre-upgrade and --post-upgrade/],
        [['old', '--hours=0'], /must be a number of hours above 0/],
        [['user'], /missing required argument 'user'/],
        [['old', '168'], /too many arguments for 'old'/],
        [['all', 'everything-for-real', '--force'], /too many arguments for 'all'/],
        [['--post-upgrade', 'stats'], /run alone, without a command/],
      ];
      const results = await Promise.all(cases.map(([args]) => clearCache(args, stack.env)));
      results.forEach((r, i) => {
        expect(r.code, cases[i][0].join(' ')).to.equal(2);
        expect(r.stderr).to.match(cases[i][1]);
      });
    });

    it('fails fast with one line naming Redis when it cannot be reached', async () => {
      const port = await freePort();
      const r = await clearCache(['stats'], { ...stack.env, REDIS_URL: `redis://127.0.0.1:${port}` });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(
        `clear-cache: cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (check REDIS_URL / REDIS_CLUSTER_NODES)\n`,
      );
    });

    it('on the memory engine says so and has nothing to drain or warm', async () => {
      const env = { ...stack.env, REDIS_URL: undefined };
      const [stats, pre] = await Promise.all([clearCache(['stats'], env), clearCache(['--pre-upgrade'], env)]);
      expect(stats.code, stats.stderr).to.equal(0);
      expect(stats.stdout).to.contain('cache engine: memory (in-process; a separate job sees no entries');
      expect(stats.stdout).to.contain('memory           n/a (memory engine)');
      expect(pre.code, pre.stderr).to.equal(0);
      expect(pre.stdout).to.contain('pre-upgrade: nothing to do; each server process keeps its own memory cache');
    });
  });
});
