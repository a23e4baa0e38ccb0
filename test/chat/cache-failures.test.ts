import { expect } from 'chai';
import type { RedisEngine } from '../../src/cache';
import { chatWithHost, type ApiClient, useTestApp } from '../support';

const seqsOf = (body: { messages: { seq: number }[] }) => body.messages.map((m) => m.seq);
const range = (hi: number, lo: number) => Array.from({ length: hi - lo + 1 }, (_, i) => hi - i);

async function send(host: ApiClient, code: string, count: number) {
  for (let i = 0; i < count; i++) {
    const res = await host.post(`/api/chats/${code}/messages`, { content: `m${i}` });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }
}

describe('history when the cache is damaged or down (postgres+redis)', function () {
  this.timeout(60_000);
  let redis: RedisEngine['client'];

  const app = useTestApp('postgres+redis', { SEND_RATE_LIMIT: '100000' });
  before(async () => {
    const t = app();
    redis = (t.app.cache as RedisEngine).client;
  });

  describe('members removed behind the server’s back', () => {
    let code: string;
    let host: ApiClient;
    beforeEach(async () => {
      const t = app();
      ({ code, host } = await chatWithHost(t.base));
      await send(host, code, 30);
      expect((await host.get(`/api/chats/${code}/messages?limit=20`)).body.source).to.equal('cache');
    });

    it('fills one removed member from the database and says hybrid', async () => {
      await redis.zremrangebyscore(`chat:{${code}}:messages`, 25, 25);
      const res = await host.get(`/api/chats/${code}/messages?limit=20`);
      expect(seqsOf(res.body)).to.deep.equal(range(30, 11));
      expect(res.body.source).to.equal('hybrid');
    });

    it('fills the newest member, which only the window meta can show missing', async () => {
      await redis.zremrangebyscore(`chat:{${code}}:messages`, 30, 30);
      const res = await host.get(`/api/chats/${code}/messages?limit=5`);
      expect(seqsOf(res.body)).to.deep.equal(range(30, 26));
      expect(res.body.source).to.equal('hybrid');
    });

    it('fills several scattered members', async () => {
      await redis.zrem(`chat:{${code}}:messages`, ...(await redis.zrangebyscore(`chat:{${code}}:messages`, 12, 18)));
      await redis.zremrangebyscore(`chat:{${code}}:messages`, 27, 28);
      const res = await host.get(`/api/chats/${code}/messages?limit=30`);
      expect(seqsOf(res.body)).to.deep.equal(range(30, 1));
      expect(res.body.source).to.equal('hybrid');
    });

    it('serves the whole history from the database when the window is gone, then rebuilds it', async () => {
      const t = app();
      await redis.del(`chat:{${code}}:messages`);
      const res = await host.get(`/api/chats/${code}/messages?limit=30`);
      expect(seqsOf(res.body)).to.deep.equal(range(30, 1));
      expect(res.body.source).to.equal('db');
      expect(await t.app.chat.repair.idle()).to.equal(true);
      const again = await host.get(`/api/chats/${code}/messages?limit=30`);
      expect(again.body.source).to.equal('cache');
      expect(seqsOf(again.body)).to.deep.equal(range(30, 1));
    });

    it('treats a chat whose meta is gone as a miss, never trusting a window alone', async () => {
      const t = app();
      await redis.del(`chat:{${code}}:meta`);
      await t.app.chat.send.send(await t.app.tokens.verifySession(host.token!), code, { content: 'while meta gone', channel: 'main' });
      const res = await host.get(`/api/chats/${code}/messages?limit=31`);
      expect(seqsOf(res.body)).to.deep.equal(range(31, 1));
    });
  });

  describe('Redis stopped mid-run', () => {
    it('keeps committing sends, serves history from the database, reports degraded, and repairs the windows when Redis is back', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      await send(host, code, 10);
      await t.stack.redis!.stop();

      await send(host, code, 5);
      const during = await host.get(`/api/chats/${code}/messages?limit=50`);
      expect(seqsOf(during.body)).to.deep.equal(range(15, 1));
      expect(during.body.source).to.equal('db');
      const health = await host.get('/health');
      expect(health.status).to.equal(200);
      expect(health.body).to.include({ status: 'degraded', db: 'ok', cache: 'down' });

      await t.stack.redis!.restart(); // empty: everything cached before is gone
      expect(await t.app.chat.repair.idle(15_000)).to.equal(true);
      const info = await t.app.cache.windowInfo(code, 'main');
      expect(info).to.include({ count: 15, minSeq: 1, maxSeq: 15 });
      const after = await host.get(`/api/chats/${code}/messages?limit=50`);
      expect(after.body.source).to.equal('cache');
      expect(seqsOf(after.body)).to.deep.equal(range(15, 1));
      expect((await host.get('/health')).body.status).to.equal('ok');
    });

    it('never serves a window that went stale while Redis was unreachable but kept its data', async () => {
      const t = app();
      const { code, host } = await chatWithHost(t.base);
      await send(host, code, 5);
      await t.stack.redis!.pause(); // data kept, commands time out
      const during = await Promise.all([1, 2, 3].map((i) => host.post(`/api/chats/${code}/messages`, { content: `during ${i}` })));
      expect(during.map((r) => r.status)).to.deep.equal([201, 201, 201]);
      await t.stack.redis!.resume();
      const res = await host.get(`/api/chats/${code}/messages?limit=50`);
      expect(seqsOf(res.body)).to.deep.equal(range(8, 1));
      expect(await t.app.chat.repair.idle(15_000)).to.equal(true);
      const repaired = await host.get(`/api/chats/${code}/messages?limit=50`);
      expect(repaired.body.source).to.equal('cache');
      expect(seqsOf(repaired.body)).to.deep.equal(range(8, 1));
    });
  });
});
