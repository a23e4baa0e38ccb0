import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisEngine, type CachedMessage } from '../../src/cache';
import { SCRIPT_SHA } from '../../src/cache/redis/scripts';
import { startRedis, type RedisHandle } from '../support';

const limits = { maxCount: 50, ttlSeconds: 3600, pinnedTtlSeconds: 7200 };
const msg = (seq: number): CachedMessage => ({ seq, version: seq, json: JSON.stringify({ id: `m${seq}`, seq }) });

// Window writes call their Lua script by SHA; a Redis that lost its scripts must not lose writes.
describe('Redis cache engine: window writes when Redis no longer holds the scripts', function () {
  this.timeout(20_000);
  let server: RedisHandle;
  let engine: RedisEngine;

  before(async () => {
    server = await startRedis();
    engine = new RedisEngine(new Redis(server.url), limits);
  });
  after(async () => {
    await engine?.close();
    await server?.stop();
  });

  it('appends and updates after SCRIPT FLUSH, and finds the script by SHA again afterwards', async () => {
    await engine.append('SCRIPTS1', 'main', [msg(1)]);
    await (engine.client as Redis).script('FLUSH');

    await engine.append('SCRIPTS1', 'main', [msg(2), msg(3)]);
    await engine.update('SCRIPTS1', 'main', { ...msg(2), version: 9 });
    expect(await engine.windowState('SCRIPTS1', 'main')).to.deep.equal({ lastSeq: 3, count: 3 });
    const [loaded] = (await (engine.client as Redis).script('EXISTS', SCRIPT_SHA.chatpopUpsert)) as number[];
    expect(loaded).to.equal(1);
  });
});
