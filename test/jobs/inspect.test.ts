import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import Redis from 'ioredis';
import { freePort, startRedis, startStack, startTestApp, type Stack, type TestApp } from '../support';
import { quiesce } from '../support/users';
import { SCRIPT_BINARY, jsonOf, plain, runJob, runOnTerminal, startJob } from './job-process';
import { chatKeys, key, seedChat, type SeededChat } from './seed';

const inspect = (args: string[], env: Record<string, string | undefined>) => runJob('inspect', args, env);

/** A chat with four plain messages and nothing else, for tests that tamper with its window. */
const plainChat = (base: string) => seedChat(base, { messages: 4, backroom: 0, pin: false, reactions: false });

/** The cached JSON of a window member, changed by `patch`, written back under the same seq. */
async function rewriteMember(redis: Redis, code: string, seq: number, patch: Record<string, unknown>) {
  const [json] = await redis.zrangebyscore(key.messages(code), seq, seq);
  await redis.zremrangebyscore(key.messages(code), seq, seq);
  await redis.zadd(key.messages(code), seq, JSON.stringify({ ...JSON.parse(json), ...patch }));
}

describe('jobs: inspect on PostgreSQL + Redis', function () {
  this.timeout(30_000);
  let stack: Stack;
  let t: TestApp;
  let redis: Redis;
  let env: Record<string, string>;
  let a: SeededChat;

  before(async function () {
    this.timeout(60_000);
    stack = await startStack('postgres+redis');
    t = await startTestApp(stack);
    redis = new Redis(stack.env.REDIS_URL);
    env = { ...stack.env };
    a = await seedChat(t.base);
  });

  after(async () => {
    redis?.disconnect();
    await t?.close();
    await stack?.dispose();
  });

  describe('--list', () => {
    it('lists every key of a chat with its member count and TTL, found with SCAN and never KEYS', async () => {
      await redis.expire(key.messages(a.code), 23 * 3600 + 45 * 60 + 30);
      const r = await inspect(['--list'], env);
      expect(r.code, r.stderr).to.equal(0);
      // then MEMORY (bytes from MEMORY USAGE) and IDLE
      const tail = String.raw`\s+[\d.]+ (B|KiB)\s+(\d+s|—)\n`;
      expect(r.stdout).to.match(new RegExp(`chat:\\{${a.code}\\}:messages\\s+zset\\s+6\\s+23h 45m${tail}`));
      expect(r.stdout).to.match(new RegExp(`chat:\\{${a.code}\\}:backroom\\s+zset\\s+1\\s+(1d|23h 59m)${tail}`));
      expect(r.stdout).to.match(new RegExp(`chat:\\{${a.code}\\}:meta\\s+hash\\s+2\\s`));
      expect(r.stdout).to.match(new RegExp(`chat:\\{${a.code}\\}:pinned\\s+zset\\s+1\\s+(7d|6d 23h)${tail}`));
      expect(r.stdout).to.match(new RegExp(`chat:\\{${a.code}\\}:reactions:${a.reactedId}\\s+hash\\s+2\\s`));
      expect(await redis.info('commandstats')).to.not.match(/^cmdstat_keys:/m);
    });

    it('--json prints the keys as one document', async () => {
      const r = await inspect(['--list', '--json'], env);
      expect(r.code, r.stderr).to.equal(0);
      const doc = jsonOf(r);
      const messages = doc.keys.find((k: { key: string }) => k.key === key.messages(a.code));
      expect(messages).to.include({ kind: 'messages', chat: a.code, type: 'zset', count: 6 });
      expect(messages.ttl_seconds).to.be.within(1, 86_400);
      expect(doc).to.include({ engine: 'redis', topology: 'single' });
      expect(messages.memory_bytes).to.be.above(0);
    });

    it('--pattern chooses the keys, --sort size orders them largest first and --limit keeps the first N', async () => {
      const all = await chatKeys(redis, a.code);
      const r = await inspect(['--list', '--pattern', `chat:{${a.code}}:*`, '--sort', 'size', '--limit', '2'], env);
      expect(r.code, r.stderr).to.equal(0);
      const rows = r.stdout.split('\n').filter((l) => l.startsWith('chat:'));
      expect(rows.map((l) => l.split(/\s+/)[0])).to.deep.equal([key.messages(a.code), `chat:{${a.code}}:meta`]);
      expect(r.stdout).to.contain(`2 of ${all.length} keys matching chat:{${a.code}}:* in 1 chat, largest first`);
    });

    it('--sort memory orders by MEMORY USAGE and --sort idle by idle time, each key measured', async () => {
      const [byMemory, byIdle] = await Promise.all([
        inspect(['--list', '--pattern', `chat:{${a.code}}:*`, '--sort', 'memory', '--json'], env).then(jsonOf),
        inspect(['--list', '--pattern', `chat:{${a.code}}:*`, '--sort', 'idle', '--json'], env).then(jsonOf),
      ]);
      const bytes: number[] = byMemory.keys.map((k: { memory_bytes: number }) => k.memory_bytes);
      expect(bytes.every((b) => b > 0)).to.equal(true);
      expect(bytes).to.deep.equal([...bytes].sort((x, y) => y - x));
      expect(byMemory.totals).to.include({ keys: bytes.length, shown: bytes.length, measured: bytes.length });
      expect(byMemory.sort).to.equal('memory');
      const idle: number[] = byIdle.keys.map((k: { idle_seconds: number }) => k.idle_seconds);
      expect(idle.every((n) => n >= 0)).to.equal(true);
      expect(idle).to.deep.equal([...idle].sort((x, y) => y - x));
    });
  });

  describe('--stats', () => {
    let isolated: TestApp;
    let isolatedEnv: Record<string, string>;
    let s: SeededChat;

    before(async function () {
      this.timeout(30_000);
      // Redis database 5 holds only this chat, so the totals are known exactly.
      isolatedEnv = { ...env, REDIS_URL: `${stack.env.REDIS_URL}/5` };
      isolated = await startTestApp(stack, { REDIS_URL: isolatedEnv.REDIS_URL });
      s = await seedChat(isolated.base);
    });

    after(() => isolated?.close());

    it('totals chats, messages, pinned, back-room and reaction caches, the fullest window and TTLs', async () => {
      const r = await inspect(['--stats'], isolatedEnv);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.stdout;
      expect(out).to.match(/chats cached\s+1\n/);
      expect(out).to.match(/messages cached\s+7 \(1 main window, 1 back-room cache with 1 message\)/);
      expect(out).to.match(/pinned caches\s+1 \(1 pin\)/);
      expect(out).to.match(/reaction caches\s+1\n/);
      expect(out).to.contain(`max per cache    6 of 500 (chat:{${s.code}}:messages)`);
      expect(out).to.match(/window TTL\s+(1d|23h 59m)( … (1d|23h 59m))? \(configured 1d\)/);
      expect(out).to.match(/repair queue\s+0 waiting/);
      expect(out).to.match(/memory\s+[\d.]+[KMG] used \(INFO\)\n/);
      expect(out).to.match(/ {2}messages\s+[\d.]+ (B|KiB) in 1 key\n/);
      expect(out).to.match(/ {2}reactions\s+[\d.]+ (B|KiB) in 1 key\n/);
    });

    it('--stats --json gives memory by key family (chat key kinds and user:<what>)', async () => {
      const doc = jsonOf(await inspect(['--stats', '--json'], isolatedEnv));
      expect(doc.memory.used_bytes).to.be.above(0);
      const families = new Map<string, { keys: number; measured: number; bytes: number }>(
        doc.memory.families.map((f: { family: string; keys: number; measured: number; bytes: number }) => [f.family, f]),
      );
      for (const family of ['messages', 'backroom', 'meta', 'pinned', 'reactions']) {
        expect(families.get(family), family).to.include({ keys: 1, measured: 1 });
        expect(families.get(family)!.bytes, family).to.be.above(0);
      }
    });

    it('--stats --json carries the same totals', async () => {
      const doc = jsonOf(await inspect(['--stats', '--json'], isolatedEnv));
      expect(doc).to.deep.include({
        chats_cached: 1,
        messages_cached: 7,
        main_windows: 1,
        backroom_caches: 1,
        backroom_messages: 1,
        pinned_caches: 1,
        pinned_messages: 1,
        reaction_caches: 1,
      });
      expect(doc.max_per_cache).to.deep.equal({ count: 6, key: key.messages(s.code), limit: 500 });
      expect(doc.ttl.configured_seconds).to.equal(86_400);
    });
  });

  describe('--chat', () => {
    it("shows the chat's name, windows with oldest and newest, pins and reaction caches", async () => {
      const r = await inspect(['--chat', a.code.toLowerCase()], env);
      expect(r.code, r.stderr).to.equal(0);
      const out = r.stdout;
      expect(out).to.contain(`chat ${a.code} "Test room" (group)  last seq main 6, back room 1`);
      expect(out).to.match(
        new RegExp(
          `main window  chat:\\{${a.code}\\}:messages  6 messages  TTL \\S+( \\S+)?  oldest #1 \\d{4}-\\d\\d-\\d\\d \\S+Z  newest #6 .*meta last seq 6`,
        ),
      );
      expect(out).to.match(new RegExp(`back room    chat:\\{${a.code}\\}:backroom  1 message  TTL`));
      expect(out).to.match(new RegExp(`pinned       chat:\\{${a.code}\\}:pinned  1 pin  TTL (7d|6d 23h)`));
      expect(out).to.match(new RegExp(`  #1  ${a.hostName}  \\$5\\.00  until `));
      expect(out).to.match(/reactions    1 cache  TTL/);
      expect(out).to.not.contain('newest 6 messages');
    });

    it('--show-messages --limit 3 lists the newest three, newest first, marking reserved names and the host (plain text off a terminal)', async () => {
      const r = await inspect(['--chat', a.code, '--show-messages', '--limit', '3'], env);
      expect(r.code, r.stderr).to.equal(0);
      const lines = r.stdout.split('\n').filter((l) => /^  #\d+  \d{4}/.test(l));
      expect(lines.map((l) => Number(/#(\d+)/.exec(l)![1]))).to.deep.equal([6, 5, 4]);
      expect(lines[0]).to.match(new RegExp(`  ${a.guestName}  message 6$`));
      expect(lines[1]).to.match(new RegExp(`  ${a.memberName} VERIFIED  message 5$`));
      expect(lines[2]).to.match(new RegExp(`  ${a.hostName} VERIFIED HOST  message 4$`));
      expect(r.stdout).to.not.match(/\x1b\[|✓|👑/);
    });

    it('on a terminal the markers are VERIFIED ✓ and HOST 👑, and a pinned message shows its amount', async () => {
      const r = await inspect(['--chat', a.code, '--show-messages'], { ...env, FORCE_COLOR: '1' });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('\x1b[');
      const out = plain(r.stdout);
      expect(out).to.match(new RegExp(`#5  .*  ${a.memberName} VERIFIED ✓  message 5`));
      expect(out).to.match(new RegExp(`#4  .*  ${a.hostName} VERIFIED ✓ HOST 👑  message 4`));
      expect(out).to.match(new RegExp(`#1  .*  ${a.hostName} VERIFIED ✓ HOST 👑  📌 \\$5\\.00 until .*  message 1`));
    });

    it('--show-reactions shows the emoji counts per message', async () => {
      const r = await inspect(['--chat', a.code, '--show-reactions'], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`  #2  ${a.reactedId}  👍 2  ❤️ 1  \\(TTL `));
    });

    it('--json prints the chat, its windows and the listed messages as one document', async () => {
      const doc = jsonOf(await inspect(['--chat', a.code, '--show-messages', '--show-reactions', '--limit', '2', '--json'], env));
      expect(doc.chat).to.include({ name: 'Test room', last_seq_main: 6, last_seq_backroom: 1 });
      expect(doc.windows.main).to.include({ key: key.messages(a.code), count: 6, meta_last_seq: 6 });
      expect(doc.windows.main.newest).to.include({ seq: 6, id: a.ids[5] });
      expect(doc.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([6, 5]);
      expect(doc.messages[1]).to.include({ username: a.memberName, verified: true, host: false });
      expect(doc.reaction_details[0]).to.deep.include({ message_id: a.reactedId, seq: 2, counts: { '👍': 2, '❤️': 1 } });
    });

    it('fails with one line for a chat neither the database nor the cache knows', async () => {
      const r = await inspect(['--chat', 'ZZZZZZZZ'], env);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('inspect: chat ZZZZZZZZ is neither in the database nor in the cache\n');
    });
  });

  describe('--compare', () => {
    it('reports counts, latest messages and IN SYNC, and exits 0 when the cache matches the database', async () => {
      const r = await inspect(['--chat', a.code, '--compare'], env);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`main window  chat:\\{${a.code}\\}:messages  IN SYNC`));
      expect(r.stdout).to.match(new RegExp(`back room  chat:\\{${a.code}\\}:backroom  IN SYNC`));
      expect(r.stdout).to.contain('counts   cache 6 (#1–#6), database 6');
      expect(r.stdout).to.match(new RegExp(`latest   cache #6 ${a.ids[5]} `));
      expect(r.stdout).to.match(new RegExp(`database #6 ${a.ids[5]} `));
      expect(r.stdout).to.contain('result: in sync');
    });

    it('finds a message missing from the window and exits 3', async () => {
      const b = await plainChat(t.base);
      await redis.zremrangebyscore(key.messages(b.code), 3, 3);
      const r = await inspect(['--chat', b.code, '--compare'], env);
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stdout).to.contain('OUT OF SYNC');
      expect(r.stdout).to.contain(`missing in cache (1):\n    #3  ${b.ids[2]}`);
      expect(r.stdout).to.contain('counts   cache 3 (#1–#4), database 4');
      const doc = jsonOf(await inspect(['--chat', b.code, '--compare', '--json'], env));
      expect(doc.in_sync).to.equal(false);
      expect(doc.channels[0]).to.deep.include({ status: 'out_of_sync', missing: [{ seq: 3, id: b.ids[2] }], extra: [], changed: [] });
    });

    it('finds a window that lost its oldest entries (it should hold the whole history when shorter than the limit) and exits 3', async () => {
      const h = await plainChat(t.base);
      await redis.zremrangebyscore(key.messages(h.code), 1, 2);
      const r = await inspect(['--chat', h.code, '--compare'], env);
      expect(r.code, r.stdout).to.equal(3);
      expect(r.stdout).to.contain("missing head (2): #1–#2, in the database below the window's oldest #3");
      expect(r.stdout).to.contain('checked  #1–#4');
      const doc = jsonOf(await inspect(['--chat', h.code, '--compare', '--json'], env));
      expect(doc.channels[0]).to.deep.include({ status: 'out_of_sync', missing_head: { from: 1, to: 2, count: 2 }, missing: [] });
    });

    it('expects of a window only the newest MESSAGE_CACHE_MAX_COUNT messages: older ones are not its missing head', async () => {
      const h = await plainChat(t.base);
      await redis.zremrangebyscore(key.messages(h.code), 1, 1);
      const r = await inspect(['--chat', h.code, '--compare', '--json'], { ...env, MESSAGE_CACHE_MAX_COUNT: '3' });
      expect(r.code, r.stdout).to.equal(0);
      expect(jsonOf(r).channels[0]).to.deep.include({ status: 'in_sync', missing_head: null, checked: { from: 2, to: 4 } });
    });

    it('finds an entry the database does not have and exits 3', async () => {
      const c = await plainChat(t.base);
      const ghost = randomUUID();
      const [json] = await redis.zrangebyscore(key.messages(c.code), 1, 1);
      await redis.zadd(key.messages(c.code), 99, JSON.stringify({ ...JSON.parse(json), id: ghost, seq: 99 }));
      const r = await inspect(['--chat', c.code, '--compare'], env);
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stdout).to.contain(`extra in cache (1):\n    #99  ${ghost}  not in database`);
      expect(r.stdout).to.not.contain('missing in cache');
    });

    it('fails, as --chat does, for a chat that is in neither the database nor the cache', async () => {
      const r = await inspect(['--chat', 'ZZZZZZZZ', '--compare'], env);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('inspect: chat ZZZZZZZZ is in neither the database nor the cache\n');
    });

    it('finds an entry whose content differs from the database and names the field', async () => {
      const d = await plainChat(t.base);
      await rewriteMember(redis, d.code, 2, { content: 'tampered' });
      const r = await inspect(['--chat', d.code, '--compare'], env);
      expect(r.code, r.stderr).to.equal(3);
      expect(r.stdout).to.match(
        new RegExp(`content differs \\(1\\):\\n    #2  ${d.ids[1]}  content  \\(cache version \\d+, database \\d+\\)`),
      );
    });

    it('--repair rebuilds the windows from the database, after which --compare exits 0', async () => {
      const e = await plainChat(t.base);
      await redis.zremrangebyscore(key.messages(e.code), 1, 1);
      await rewriteMember(redis, e.code, 2, { content: 'tampered', username: 'mallory' });
      await redis.zadd(key.messages(e.code), 50, JSON.stringify({ id: randomUUID(), seq: 50 }));
      expect((await inspect(['--chat', e.code, '--compare'], env)).code).to.equal(3);

      const repaired = await inspect(['--chat', e.code, '--repair'], env);
      expect(repaired.code, repaired.stderr).to.equal(0);
      expect(repaired.stdout).to.contain(
        `rebuilt chat ${e.code} from the database: main window 4 messages (#1–#4), back room 0 messages, 0 active pins`,
      );
      const after = await inspect(['--chat', e.code, '--compare'], env);
      expect(after.code, after.stdout).to.equal(0);
      expect(after.stdout).to.contain('result: in sync');
      const both = await inspect(['--chat', e.code, '--repair', '--compare', '--json'], env);
      expect(both.code).to.equal(0);
      expect(jsonOf(both).compare.in_sync).to.equal(true);
    });
  });

  describe('--message', () => {
    it('shows the database row and every cache key that holds the message, with the serialized entry', async () => {
      const r = await inspect(['--message', a.pinnedId!], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`database: found in chat ${a.code}, main #1`);
      expect(r.stdout).to.contain(`type host, username ${a.hostName}, created `);
      expect(r.stdout).to.contain('content: "message 1"');
      expect(r.stdout).to.contain(`cache: ${key.messages(a.code)} (score 1)\n  {"id":"${a.pinnedId}"`);
      expect(r.stdout).to.contain(`cache: ${key.pinned(a.code)} (score `);
      const reacted = jsonOf(await inspect(['--message', a.reactedId!, '--json'], env));
      expect(reacted.database).to.include({ found: true, chat_code: a.code, seq: 2, message_type: 'normal', username: a.memberName });
      expect(reacted.cache.map((c: { key: string }) => c.key)).to.deep.equal([key.messages(a.code), key.reactions(a.code, a.reactedId!)]);
      expect(JSON.parse(reacted.cache[1].entry)).to.deep.equal({ '👍': 2, '❤️': 1 });
    });

    it('finds an entry that only the cache has, and exits 1 when the message is nowhere', async () => {
      const f = await plainChat(t.base);
      const ghost = randomUUID();
      await redis.zadd(key.messages(f.code), 77, JSON.stringify({ id: ghost, seq: 77 }));
      const [cacheOnly, nowhere] = await Promise.all([inspect(['--message', ghost], env), inspect(['--message', randomUUID()], env)]);
      expect(cacheOnly.code, cacheOnly.stderr).to.equal(0);
      expect(cacheOnly.stdout).to.contain('database: not found');
      expect(cacheOnly.stdout).to.contain(`cache: ${key.messages(f.code)} (score 77)`);
      expect(nowhere.code).to.equal(1);
      expect(nowhere.stdout).to.contain('database: not found\ncache: not in any cache key');
    });
  });

  describe('--clear', () => {
    it('lists what it would delete and refuses without --force when there is no terminal', async () => {
      const g = await seedChat(t.base);
      const before = await chatKeys(redis, g.code);
      const r = await inspect(['--chat', g.code, '--clear'], env);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.contain(`will delete ${before.length} keys of chat ${g.code}:`);
      for (const k of before) expect(r.stdout).to.contain(k);
      expect(r.stderr).to.match(
        /^inspect: refusing to delete \d+ cache keys of chat \w+ without --force: there is no terminal to confirm on\n$/,
      );
      expect(await chatKeys(redis, g.code)).to.deep.equal(before);
    });

    it('on a terminal asks [y/N]: "n" keeps the keys, "y" deletes them', async function () {
      if (!SCRIPT_BINARY) this.skip();
      const g = await seedChat(t.base);
      // The seeding's inbox news reads the newest message a second later, and a repair rebuilds the
      // keys that read finds gone: let both finish before "y" deletes them.
      await quiesce(t.app);
      const before = await chatKeys(redis, g.code);
      const no = await runOnTerminal('inspect', ['--chat', g.code, '--clear'], env, 'n\n');
      expect(no.code, no.stdout).to.equal(1);
      expect(plain(no.stdout)).to.contain(`Delete these ${before.length} keys? [y/N]`);
      expect(plain(no.stdout)).to.contain(`inspect: not confirmed; did not delete ${before.length} cache keys of chat ${g.code}`);
      expect(await chatKeys(redis, g.code)).to.deep.equal(before);
      const yes = await runOnTerminal('inspect', ['--chat', g.code, '--clear'], env, 'y\n');
      expect(yes.code, yes.stdout).to.equal(0);
      expect(plain(yes.stdout)).to.contain(`deleted ${before.length} keys of chat ${g.code}`);
      expect(await chatKeys(redis, g.code)).to.deep.equal([]);
    });

    it('with --force deletes every key of the chat, and its history stays whole', async () => {
      const g = await seedChat(t.base);
      await quiesce(t.app);
      const r = await inspect(['--chat', g.code, '--clear', '--force'], env);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(new RegExp(`deleted \\d+ keys of chat ${g.code}`));
      expect(await chatKeys(redis, g.code)).to.deep.equal([]);
      const history = await g.guest.get(`/api/chats/${g.code}/messages?limit=50`);
      expect(history.status).to.equal(200);
      expect(history.body.source).to.equal('db');
      expect(history.body.messages.map((m: { id: string }) => m.id)).to.deep.equal([...g.ids].reverse());
    });
  });

  describe('--monitor', () => {
    it('prints a line per sample, marks a new and a deleted message, and ends cleanly on Ctrl+C', async function () {
      this.timeout(20_000);
      const h = await plainChat(t.base);
      const job = startJob('inspect', ['--chat', h.code, '--monitor'], env);
      try {
        await job.waitFor(new RegExp(`\\d\\d:\\d\\d:\\d\\d  chat:\\{${h.code}\\}:messages  4 messages  TTL \\S+`));
        const sent = await h.host.post(`/api/chats/${h.code}/messages`, { content: 'while monitoring' });
        expect(sent.status).to.equal(201);
        const from = job.stdout().length;
        await job.waitFor(/5 messages  TTL \S+( \S+)?  ← NEW MESSAGE \(\+1\)/, 6000, from);
        const deleted = await h.host.delete(`/api/chats/${h.code}/messages/${h.ids[0]}`);
        expect(deleted.status).to.equal(200);
        await job.waitFor(/5 messages  TTL \S+( \S+)?  ← DELETED \(-1\)/, 6000, job.stdout().length);
        job.child.kill('SIGINT');
        const exit = await job.exited;
        expect(exit.code, exit.stderr).to.equal(0);
        expect(exit.stdout).to.match(/stopped after \d+ samples\n$/);
      } finally {
        job.child.kill('SIGKILL');
      }
    });
  });

  describe('usage and failures', () => {
    it('exits 2 with a message on usage errors', async () => {
      const cases: [string[], RegExp][] = [
        [[], /nothing to do/],
        [['--compare'], /--compare needs --chat CODE/],
        [['--chat', 'abc'], /a chat code is 8 characters/],
        [['--list', '--stats'], /choose one of --list, --stats/],
        [['--message', 'not-a-uuid'], /must be a UUID/],
        [['--chat', a.code, '--force'], /--force goes with --clear/],
        [['--stats', '--pattern', 'chat:*'], /--pattern and --sort go with --list/],
        [['--list', '--sort', 'big'], /must be size, memory or idle/],
        [['--nope'], /unknown option '--nope'/],
      ];
      const results = await Promise.all(cases.map(([args]) => inspect(args, env)));
      results.forEach((r, i) => {
        expect(r.code, cases[i][0].join(' ')).to.equal(2);
        expect(r.stderr).to.match(cases[i][1]);
        expect(r.stdout).to.equal('');
      });
    });

    it('fails fast with one line naming Redis when it cannot be reached', async () => {
      const port = await freePort();
      const r = await inspect(['--list'], { ...env, REDIS_URL: `redis://:secret@127.0.0.1:${port}` });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(
        `inspect: cannot reach Redis at redis://:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (check REDIS_URL / REDIS_CLUSTER_NODES)\n`,
      );
      expect(r.ms).to.be.below(3000);
    });

    it('gives up on a Redis that accepts connections but never answers within a few seconds', async () => {
      const hung = await startRedis();
      await hung.pause();
      try {
        const r = await inspect(['--stats'], { ...env, REDIS_URL: hung.url });
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(/^inspect: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: no answer within 3 s/);
        expect(r.ms).to.be.below(6000);
      } finally {
        await hung.resume();
        await hung.stop();
      }
    });

    it('fails fast with one line naming the database when it cannot be reached', async () => {
      const port = await freePort();
      const r = await inspect(['--chat', a.code, '--compare'], { ...env, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/chatpop` });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(
        `inspect: cannot reach the database at postgres://postgres@127.0.0.1:${port}/chatpop: connect ECONNREFUSED 127.0.0.1:${port} (check DATABASE_URL)\n`,
      );
    });

    it('stops with one line on bad configuration', async () => {
      const r = await inspect(['--list'], { ...env, REDIS_URL: 'http://localhost' });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('inspect: bad configuration: REDIS_URL: must start with redis:// or rediss://\n');
    });

    it('on the memory engine says that a separate job sees no entries, and still reads the database', async () => {
      const noRedis = { ...env, REDIS_URL: undefined };
      const [list, chat] = await Promise.all([inspect(['--list'], noRedis), inspect(['--chat', a.code], noRedis)]);
      expect(list.code, list.stderr).to.equal(0);
      expect(list.stdout).to.equal(
        'cache engine: memory (in-process; a separate job sees no entries; set REDIS_URL to inspect a shared cache)\nno chat keys cached\n',
      );
      expect(chat.code, chat.stderr).to.equal(0);
      expect(chat.stdout).to.contain(`chat ${a.code} "Test room" (group)  last seq main 6`);
      expect(chat.stdout).to.contain('a separate job sees no entries');
      expect(chat.stdout).to.match(/main window  \S+  not cached/);
    });
  });
});
