import { expect } from 'chai';
import pg from 'pg';
import { ApiClient, guest, startStack, startTestApp, uniqueName, type TestApp } from '../support';
import { FAKE_CITUS_SQL } from '../support/fake-citus';

/** Each distributed table and its distribution column (src/db/migrations/…-distribute-by-chat.ts). */
const DISTRIBUTION: Record<string, string> = { chats: 'id', participants: 'chat_id', messages: 'chat_id', reactions: 'chat_id' };

/**
 * The distributed tables a statement touches that it does not pin to one chat: neither an equality
 * on the table's distribution column with a bound value, nor an INSERT naming that column (Citus
 * routes each inserted row by its value).
 */
export function unscoped(sql: string): string[] {
  const text = sql.toLowerCase().replace(/\s+/g, ' ');
  const bad: string[] = [];
  for (const [table, column] of Object.entries(DISTRIBUTION)) {
    if (!new RegExp(`\\b(from|join|update|into) "?${table}"?( |$|\\()`).test(text)) continue;
    // A bound parameter, or a value MikroORM wrote in; a one-row tuple IN (MikroORM's composite-key
    // delete), which PostgreSQL's parser turns into an equality per column.
    const equality = new RegExp(`(^|[^a-z_])"?${column}"? = (\\$\\d+|\\?|'[^']*')`);
    const tuple = new RegExp(`\\("?${column}"?, [^)]*\\) in \\(\\([^()]*\\)\\)`);
    const inserts = new RegExp(`insert into "?${table}"? \\([^)]*\\b"?${column}"?\\b`);
    if (!equality.test(text) && !tuple.test(text) && !inserts.test(text)) bad.push(table);
  }
  return bad;
}

// Issue #24: on a database distributed by chat, the hot paths' statements each stay on one chat's shard.
describe('hot paths on a database distributed by chat: every statement on a chat table names its chat', function () {
  this.timeout(120_000);
  let t: TestApp;
  const seen: string[] = [];
  let recording = false;
  const query = pg.Client.prototype.query;

  before(async () => {
    const stack = await startStack('postgres+redis');
    // Citus mode: the stand-in functions make the app (and the migrations) see Citus.
    const client = new pg.Client({ connectionString: stack.env.DATABASE_URL });
    await client.connect();
    await client.query(FAKE_CITUS_SQL);
    await client.end();
    t = await startTestApp(stack, { MESSAGE_CACHE_MAX_COUNT: '5' });
    (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
      if (recording) seen.push(typeof config === 'string' ? config : String((config as { text?: string }).text));
      return (query as (...args: unknown[]) => unknown).call(this, config, ...rest);
    };
  });

  after(async () => {
    pg.Client.prototype.query = query;
    await t?.close();
    await t?.stack.dispose();
  });

  it('records join, send (two chats in one batch, a retried client_id, the back room, a reply), history pages past the cache, edit, delete, react, pin and read markers', async () => {
    const api = new ApiClient(t.base);
    const name = uniqueName('host');
    const user = api.withToken((await api.post('/api/auth/register', { username: name, password: 'correct-horse-1' })).body.token);
    const codes = [
      (await user.post('/api/chats', { name: 'one' })).body.code as string,
      (await user.post('/api/chats', { name: 'two' })).body.code as string,
    ];
    expect(await t.app.orm.em.fork().getConnection().execute('select count(*)::int as n from fake_citus_tables')).to.deep.equal([{ n: 7 }]);

    recording = true;
    const hosts = await Promise.all(
      codes.map(async (code) => api.withToken((await user.post(`/api/chats/${code}/join`, { username: name })).body.session_token)),
    );
    const guests = await Promise.all(codes.map((code) => guest(t.base, code)));
    for (let round = 0; round < 6; round++) {
      // Sends to both chats in the same tick share one batch of the group commit.
      const sent = await Promise.all(
        codes.flatMap((code, i) => [
          hosts[i].post(`/api/chats/${code}/messages`, { content: `h${round}` }),
          guests[i].post(`/api/chats/${code}/messages`, { content: `g${round}` }),
        ]),
      );
      expect(sent.map((r) => r.status)).to.deep.equal([201, 201, 201, 201]);
    }
    const [code] = codes;
    const [host] = hosts;
    const first = await host.post(`/api/chats/${code}/messages`, { content: 'keyed', client_id: 'k-1' });
    expect((await host.post(`/api/chats/${code}/messages`, { content: 'keyed', client_id: 'k-1' })).status).to.equal(200);
    expect((await host.post(`/api/chats/${code}/messages`, { content: 'reply', reply_to: first.body.id })).status).to.equal(201);
    expect((await host.post(`/api/chats/${code}/messages`, { content: 'back room', channel: 'backroom' })).status).to.equal(201);
    const deep = await api.get(`/api/chats/${code}/messages?before=4&limit=3`);
    expect(deep.body.messages.map((m: { seq: number }) => m.seq)).to.deep.equal([3, 2, 1]);
    expect(deep.body.source).to.not.equal('cache');
    const id = first.body.id as string;
    expect((await host.patch(`/api/chats/${code}/messages/${id}`, { content: 'edited' })).status).to.equal(200);
    expect((await guests[0].post(`/api/chats/${code}/messages/${id}/reactions`, { emoji: '👍' })).status).to.equal(200);
    expect((await guests[0].delete(`/api/chats/${code}/messages/${id}/reactions`, { emoji: '👍' })).status).to.equal(200);
    expect((await host.post(`/api/chats/${code}/messages/${id}/pin`, { amount_cents: 100, duration_minutes: 5 })).status).to.equal(200);
    expect((await api.get(`/api/chats/${code}/pinned`)).status).to.equal(200);
    expect((await host.post(`/api/chats/${code}/read`, { seq: 3 })).status).to.equal(200);
    expect((await host.delete(`/api/chats/${code}/messages/${id}`)).status).to.equal(200);
    recording = false;

    const onChatTables = seen.filter((s) => /\b(chats|participants|messages|reactions)\b/i.test(s));
    expect(onChatTables.length, 'statements recorded').to.be.greaterThan(20);
    const offenders = seen.map((s) => ({ s, tables: unscoped(s) })).filter((o) => o.tables.length);
    expect(
      offenders.map((o) => `${o.tables.join(',')}: ${o.s}`),
      'statements not pinned to one chat',
    ).to.deep.equal([]);
  });

  it('the check itself flags a statement spanning chats (the single-database send statement) and passes one naming its chat', () => {
    expect(unscoped('select id from chats where id in (select chat_id from n) order by id for update')).to.deep.equal(['chats']);
    expect(unscoped('select * from "messages" as "m0" where "m0"."chat_id" in ($1, $2)')).to.deep.equal(['messages']);
    expect(unscoped('select * from "messages" as "m0" where "m0"."chat_id" = $1 and "m0"."id" = $2')).to.deep.equal([]);
    expect(unscoped('update chats set version = version + 1 where id = ? returning version')).to.deep.equal([]);
    expect(unscoped(`delete from "reactions" where ("chat_id", "id") in (('c', 'r'))`)).to.deep.equal([]);
    expect(unscoped(`delete from "reactions" where ("chat_id", "id") in (('c', 'r'), ('d', 's'))`)).to.deep.equal(['reactions']);
  });
});
