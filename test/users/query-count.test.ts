import { expect } from 'chai';
import { STACKS, startStack, startTestApp, type TestApp } from '../support';
import { converse, countQueries, inRequest, joinAs, quiesce, registerUser, send, unread } from './helpers';

for (const stack of STACKS) {
  describe(`user cache hits make no database query (${stack})`, function () {
    this.timeout(60_000);
    let t: TestApp;
    let queries: ReturnType<typeof countQueries>;

    before(async () => {
      t = await startTestApp(await startStack(stack), { SEND_RATE_LIMIT: '100000' });
      queries = countQueries(t.app);
    });
    after(async () => {
      queries.stop();
      await t.close();
      await t.stack.dispose();
    });

    /** Lets background work finish, then counts from zero. */
    async function startCounting() {
      await quiesce(t.app);
      queries.reset();
    }

    it('serves repeated profile reads without a query until the profile changes, then reads fresh', async () => {
      const a = await registerUser(t, 'a');
      const b = await registerUser(t, 'b');
      await a.api.get('/api/me');
      await b.api.get(`/api/users/${a.username}`);

      await startCounting();
      for (let i = 0; i < 10; i++) {
        expect((await a.api.get('/api/me')).body.username).to.equal(a.username);
        expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(a.username);
      }
      expect(queries.sql, 'repeated profile reads').to.deep.equal([]);

      const renamed = a.username.toUpperCase();
      expect((await a.api.patch('/api/me', { display_name: renamed })).status).to.equal(200);
      await startCounting();
      expect((await a.api.get('/api/me')).body.username).to.equal(renamed);
      expect(queries.count, 'the first read after the update goes to the database').to.be.greaterThan(0);
      expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(renamed);

      await startCounting();
      for (let i = 0; i < 5; i++) {
        expect((await a.api.get('/api/me')).body.username).to.equal(renamed);
        expect((await b.api.get(`/api/users/${a.username}`)).body.username).to.equal(renamed);
      }
      expect(queries.sql, 'reads after the refill').to.deep.equal([]);
    });

    it('serves repeated unread counts without a query until a message or a read marker changes them', async () => {
      const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
      const code = await converse(a, b);
      const [sa, sb] = [await joinAs(a, code), await joinAs(b, code)];
      await send(sa, code, 'one');
      await send(sa, code, 'two');
      expect(await unread(b)).to.equal(2);

      await startCounting();
      for (let i = 0; i < 10; i++) expect(await unread(b)).to.equal(2);
      expect(queries.sql, 'repeated unread reads').to.deep.equal([]);

      // No waiting between the write and the read: the next read is fresh.
      await send(sa, code, 'three');
      expect(await unread(b)).to.equal(3);
      await startCounting();
      for (let i = 0; i < 10; i++) expect(await unread(b)).to.equal(3);
      expect(queries.sql, 'unread reads after a message').to.deep.equal([]);

      expect((await sb.post(`/api/chats/${code}/read`, { seq: 3 })).status).to.equal(200);
      expect(await unread(b)).to.equal(0);
      await startCounting();
      for (let i = 0; i < 10; i++) expect(await unread(b)).to.equal(0);
      expect(queries.sql, 'unread reads after a read marker').to.deep.equal([]);
    });

    it('serves repeated conversation lists without a query until a message changes them', async () => {
      const [a, b] = [await registerUser(t, 'a'), await registerUser(t, 'b')];
      const code = await converse(a, b);
      const sa = await joinAs(a, code);
      await send(sa, code, 'first');
      const list = async () => (await b.api.get('/api/me/conversations')).body.conversations;
      expect((await list())[0].last_message.preview).to.equal('first');

      await startCounting();
      for (let i = 0; i < 10; i++) expect((await list())[0]).to.include({ code, unread: 1 });
      expect(queries.sql, 'repeated list reads').to.deep.equal([]);

      await send(sa, code, 'second');
      const fresh = (await list())[0];
      expect(fresh).to.include({ code, unread: 2 });
      expect(fresh.last_message.preview).to.equal('second');
    });

    it('answers a burst of 50 concurrent misses with one query', async () => {
      const [a, b, c] = [await registerUser(t, 'a'), await registerUser(t, 'b'), await registerUser(t, 'c')];
      const code = await converse(a, b);
      await send(await joinAs(a, code), code, 'hello');
      await converse(a, c);

      // All in one tick, so every call misses before any could fill the cache.
      await startCounting();
      const direct = await inRequest(() => Promise.all(Array.from({ length: 50 }, () => t.app.users.reads.unreadCount(b.id))));
      expect(direct).to.deep.equal(Array(50).fill(1));
      expect(queries.sql, 'queries for 50 concurrent cold reads in one tick').to.have.length(1);

      // The same through HTTP, as clients would cause it (c's token check read once before).
      await c.api.get('/api/me');
      await startCounting();
      const viaHttp = await Promise.all(Array.from({ length: 50 }, () => unread(c)));
      expect(viaHttp).to.deep.equal(Array(50).fill(0));
      expect(queries.sql, 'queries for 50 concurrent cold requests').to.have.length(1);
    });
  });
}
