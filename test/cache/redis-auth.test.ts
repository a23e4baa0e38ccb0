import { expect } from 'chai';
import pino from 'pino';
import { connectQuietly, createRedisClient } from '../../src/cache';
import type { Logger } from '../../src/logger';
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

  const start = async (redisUrl: string, log?: Logger) => {
    const stack = { name: 'postgres+redis' as const, env: { DATABASE_URL: db.url, REDIS_URL: redisUrl }, dispose: async () => undefined };
    const t = await startTestApp(stack, {}, undefined, log);
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

  it('gives up connecting as soon as Redis refuses the password, not at the connect timeout', async function () {
    // The connect timeout is far longer than this test may run: only the refusal can end the wait.
    this.timeout(10_000);
    const client = createRedisClient({ kind: 'single', url: `redis://:wrong-pass@127.0.0.1:${redis.port}` }, 'auth-test');
    try {
      expect(await connectQuietly(client, 60_000)).to.equal(false);
      expect(client.listenerCount('error')).to.equal(0);
    } finally {
      client.disconnect();
    }
    const right = createRedisClient({ kind: 'single', url: `redis://:s3cret-pass@127.0.0.1:${redis.port}` }, 'auth-test');
    try {
      expect(await connectQuietly(right, 60_000)).to.equal(true);
    } finally {
      right.disconnect();
    }
  });

  it('keeps working from the database, reporting degraded, when the password is wrong, and says so once in the log without the password', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const t = await start(`redis://:wrong-pass@127.0.0.1:${redis.port}`, log);
    const warnings = lines.filter((l) => l.includes('Redis refused the password'));
    expect(warnings).to.have.length(1);
    expect(lines.join('')).not.to.include('wrong-pass');
    const { code, host } = await chatWithHost(t.base);
    expect((await host.post(`/api/chats/${code}/messages`, { content: 'hello' })).status).to.equal(201);
    const page = await host.get(`/api/chats/${code}/messages`);
    expect(page.body.source).to.equal('db');
    expect(page.body.messages).to.have.length(1);
    expect((await host.get('/health')).body).to.include({ status: 'degraded', cache: 'down' });
  });
});
