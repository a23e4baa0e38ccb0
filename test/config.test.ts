import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { TEST_SECRET } from './support';

const server = join(__dirname, '..', 'src', 'server.js');

describe('configuration', () => {
  it('runs on embedded defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c).to.include({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'sqlite://./data/chatpop.sqlite',
      messageCacheMaxCount: 500,
      enableMonitoring: false,
    });
    expect(c.redis).to.deep.equal({ kind: 'none' });
    expect(c.messageCacheTtlSeconds).to.equal(24 * 3600);
    expect(c.pinnedCacheTtlSeconds).to.equal(7 * 86_400);
    expect(c.sessionSecret).to.have.length(64);
  });

  it('reads whole and fractional numbers as written', () => {
    const c = loadConfig({ PORT: '8080', MESSAGE_CACHE_TTL_HOURS: '0.5', PINNED_CACHE_TTL_DAYS: '1.5', MESSAGE_CACHE_MAX_COUNT: '1000' });
    expect(c).to.include({ port: 8080, messageCacheTtlSeconds: 1800, pinnedCacheTtlSeconds: 129_600, messageCacheMaxCount: 1000 });
  });

  // Issue #22, abuse resistance 1 and 3: X-Forwarded-For is trusted only when asked; each limit is a variable.
  it('ignores X-Forwarded-For unless PROXY_HOPS says, and reads the abuse limits with their defaults', () => {
    const c = loadConfig({});
    expect(c).to.include({ proxyHops: 0, socketsPerSession: 10, unknownEventsPerMinute: 20 });
    expect(c.passwordHashing).to.deep.equal({ concurrency: 2, queue: 16 });
    expect(c.joinLimits).to.deep.equal({ perAddressPerMinute: 30, perChatPerMinute: 300 });
    const set = loadConfig({
      PASSWORD_HASH_CONCURRENCY: '4',
      PASSWORD_HASH_QUEUE: '0',
      JOIN_RATE_LIMIT: '5',
      JOIN_RATE_LIMIT_PER_CHAT: '50',
      SOCKETS_PER_SESSION: '2',
      UNKNOWN_EVENT_LIMIT: '3',
    });
    expect(set).to.include({ socketsPerSession: 2, unknownEventsPerMinute: 3 });
    expect(set.passwordHashing).to.deep.equal({ concurrency: 4, queue: 0 });
    expect(set.joinLimits).to.deep.equal({ perAddressPerMinute: 5, perChatPerMinute: 50 });
    for (const variable of [
      'PASSWORD_HASH_CONCURRENCY',
      'JOIN_RATE_LIMIT',
      'JOIN_RATE_LIMIT_PER_CHAT',
      'SOCKETS_PER_SESSION',
      'UNKNOWN_EVENT_LIMIT',
    ]) {
      expect(() => loadConfig({ [variable]: '0' }), variable)
        .to.throw(ConfigError)
        .with.property('variable', variable);
    }
  });

  it('reads Redis, a cluster and its password', () => {
    const secret = { SESSION_SECRET: TEST_SECRET };
    expect(loadConfig({ ...secret, REDIS_URL: 'redis://:pw@127.0.0.1:6380/2' }).redis).to.deep.equal({
      kind: 'single',
      url: 'redis://:pw@127.0.0.1:6380/2',
    });
    expect(loadConfig({ ...secret, REDIS_CLUSTER_NODES: 'a:7000, b:7001', REDIS_URL: 'redis://:s3cret@x:1' }).redis).to.deep.equal({
      kind: 'cluster',
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      password: 's3cret',
    });
  });

  const bad: [Record<string, string>, string][] = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL'],
    [{ REDIS_CLUSTER_NODES: 'a,b' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_CLUSTER_NODES: '127.0.0.1:99999' }, 'REDIS_CLUSTER_NODES'],
    [{ REDIS_URL: 'redis://' }, 'REDIS_URL'],
    [{ REDIS_URL: 'redis://127.0.0.1:6379/abc' }, 'REDIS_URL'],
    [{ DATABASE_URL: 'postgres://u:pw@db.example:abc/chat' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://db.example:5432' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite://' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://db/chat', DATABASE_READ_URLS: 'postgres://r1/chat,redis://r2' }, 'DATABASE_READ_URLS'],
    [{ DATABASE_URL: 'postgres://db/chat', DATABASE_READ_URLS: 'postgres://r1' }, 'DATABASE_READ_URLS'],
    [{ PROXY_HOPS: '-1' }, 'PROXY_HOPS'],
    [{ PORT: '0x50' }, 'PORT'],
    [{ MESSAGE_CACHE_MAX_COUNT: '1e3' }, 'MESSAGE_CACHE_MAX_COUNT'],
    [{ MESSAGE_CACHE_TTL_HOURS: '0.0001' }, 'MESSAGE_CACHE_TTL_HOURS'],
    [{ PINNED_CACHE_TTL_DAYS: '0.000001' }, 'PINNED_CACHE_TTL_DAYS'],
    [{ PINNED_CACHE_TTL_DAYS: 'x' }, 'PINNED_CACHE_TTL_DAYS'],
    [{ MESSAGE_CACHE_MAX_COUNT: '0' }, 'MESSAGE_CACHE_MAX_COUNT'],
    [{ ENABLE_MONITORING: 'maybe' }, 'ENABLE_MONITORING'],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN'],
    [{ NODE_ENV: 'production' }, 'SESSION_SECRET'],
  ];
  for (const [env, variable] of bad) {
    it(`names ${variable} when ${JSON.stringify(env)} is wrong`, () => {
      expect(() => loadConfig(env))
        .to.throw(ConfigError)
        .with.property('variable', variable);
    });
  }

  // Issue #22, integrity: pods on one Redis with a random secret each refused each other's tokens.
  it('requires SESSION_SECRET of a server when REDIS_URL or REDIS_CLUSTER_NODES is set, saying why; a job signs no tokens and needs none', () => {
    for (const env of [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { REDIS_CLUSTER_NODES: 'a:7000' }]) {
      expect(() => loadConfig(env))
        .to.throw(
          ConfigError,
          'SESSION_SECRET: is required when REDIS_URL or REDIS_CLUSTER_NODES is set: every pod must sign tokens with the same secret',
        )
        .with.property('variable', 'SESSION_SECRET');
      expect(loadConfig(env, 'job').redis.kind).to.not.equal('none');
    }
  });

  it('stops the server at start with one line naming the variable', () => {
    const run = spawnSync(process.execPath, [server], {
      env: { PATH: process.env.PATH, PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(run.status).to.equal(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/PORT/);
    expect(run.stdout).to.equal('');
  });
});
