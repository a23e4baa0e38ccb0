import { expect } from 'chai';
import type { RedisEngine } from '../../src/cache';
import { useTestApp } from '../support';
import { converse, countQueries, joinAs, quiesce, registerUser, send, unread, type TestUser } from '../support/users';

describe('user routes while Redis is down (postgres+redis)', function () {
  this.timeout(60_000);

  const app = useTestApp('postgres+redis', { SEND_RATE_LIMIT: '100000' });

  const codes = async (u: TestUser) => {
    const res = await u.api.get('/api/me/conversations');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.conversations.map((c: { code: string }) => c.code);
  };

  it('answers every route from the database, fresh, and caches again once Redis is back', async () => {
    const t = app();
    const [a, b, c] = [await registerUser(t, 'a'), await registerUser(t, 'b'), await registerUser(t, 'c')];
    const code = await converse(a, b);
    const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
    await send(sa, code, 'one');
    await send(sa, code, 'two');
    // Warm every cache entry, so a stale one would show.
    expect(await unread(b)).to.equal(2);
    expect(await codes(b)).to.deep.equal([code]);
    expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(a.username);

    await t.stack.redis!.kill();
    expect(await t.app.cache.ping()).to.equal(false);

    expect(await unread(b)).to.equal(2);
    await send(sa, code, 'during the outage');
    expect(await unread(b)).to.equal(3);
    const read = await sb.post(`/api/chats/${code}/read`, { seq: 3 });
    expect(read.status, JSON.stringify(read.body)).to.equal(200);
    expect(await unread(b)).to.equal(0);

    const opened = await a.api.post('/api/conversations', { with: c.username });
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    expect(await codes(a)).to.deep.equal([opened.body.code, code]);
    expect((await c.api.get('/api/me/conversations')).body.conversations[0].partner.username).to.equal(a.username);

    const renamed = a.username.toUpperCase();
    expect((await a.api.patch('/api/me', { display_name: renamed })).status).to.equal(200);
    expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(renamed);
    expect((await a.api.get('/api/me')).body.username).to.equal(renamed);

    // Back (empty, as a restarted Redis is): answers stay right and hits stop reaching the database.
    const client = (t.app.cache as RedisEngine).client;
    const ready = new Promise((r) => client.once('ready', r));
    await t.stack.redis!.restart();
    await ready;
    await t.app.users.cache.retryInvalidations();
    expect(await unread(b)).to.equal(0);
    expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(renamed);
    await quiesce(t.app);
    const queries = countQueries(t.app);
    try {
      expect(await unread(b)).to.equal(0);
      expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(renamed);
      expect(queries.sql).to.deep.equal([]);
    } finally {
      queries.stop();
    }
  });
});
