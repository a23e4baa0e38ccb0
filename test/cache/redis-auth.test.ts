import { expect } from 'chai';
import { chatWithHost, createTestDatabase, startRedis, startTestApp, type RedisHandle, type TestApp } from '../support';

describe('Redis with a password', function () {
  this.timeout(30_000);
  let redis: RedisHandle;
  let db: { url: string; drop(): Promise<void> };
  const apps: TestApp[] = [];

  before(async () => {
    [redis, db] = await Promise.all([startRedis({ password: 's3cret-pass' }), createTestDatabase()]);
  });
  after(async () => {
    for (const a of apps) await a.close();
    await redis.stop();
    await db.drop();
  });

  const start = async (redisUrl: string) => {
    const stack = { name: 'postgres+redis' as const, env: { DATABASE_URL: db.url, REDIS_URL: redisUrl }, dispose: async () => undefined };
    const t = await startTestApp(stack);
    apps.push(t);
    return t;
  };

  it('serves history from the cache when REDIS_URL carries the password', async () => {
    const t = await start(`redis://:s3cret-pass@127.0.0.1:${redis.port}`);
    const { code, host } = await chatWithHost(t.base);
    await host.post(`/api/chats/${code}/messages`, { content: 'hello' });
    const page = await host.get(`/api/chats/${code}/messages`);
    expect(page.body.source).to.equal('cache');
    expect((await host.get('/health')).body.status).to.equal('ok');
  });

  it('keeps working from the database, reporting degraded, when the password is wrong', async () => {
    const t = await start(`redis://:wrong-pass@127.0.0.1:${redis.port}`);
    const { code, host } = await chatWithHost(t.base);
    expect((await host.post(`/api/chats/${code}/messages`, { content: 'hello' })).status).to.equal(201);
    const page = await host.get(`/api/chats/${code}/messages`);
    expect(page.body.source).to.equal('db');
    expect(page.body.messages).to.have.length(1);
    expect((await host.get('/health')).body).to.include({ status: 'degraded', cache: 'down' });
  });
});
