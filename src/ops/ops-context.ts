import type { CacheEngine } from '../cache';
import { cacheLimits, createRedisClient, MemoryEngine, RedisEngine, type RedisClient } from '../cache';
import type { ChatServices } from '../chat';
import type { Config } from '../config';
import type { Orm } from '../db';
import { MemoryKeyspace } from './memory-keyspace';
import { OpsError, redactUrl } from './ops-error';
import type { Keyspace } from './keyspace';
import { RedisKeyspace } from './redis-keyspace';

/** How long a job waits for Redis or the database before it gives up with one line. @default 3000 */
export const CONNECT_TIMEOUT_MS = 3000;

/** Printed (and put in JSON) whenever a job runs on the embedded memory engine. */
export const MEMORY_ENGINE_NOTE =
  'cache engine: memory (in-process; a separate job sees no entries; set REDIS_URL to inspect a shared cache)';

/** Where a report came from; `note` is set on the memory engine, whose cache a job cannot see. */
export interface EngineInfo {
  engine: 'redis' | 'memory';
  topology: string;
  target: string;
  note?: string;
}

/**
 * What a job works with, opened on first use: a job that only reads Redis never loads the ORM,
 * and one that only migrates never connects to Redis.
 */
export class OpsContext {
  private cachePromise?: Promise<CacheEngine>;
  private ormPromise?: Promise<Orm>;
  private servicesPromise?: Promise<ChatServices>;

  constructor(readonly config: Config) {}

  /** `redis single redis://host:6379`, `redis cluster h:p,h:p`, or `memory`. */
  describeCache(): string {
    const r = this.config.redis;
    if (r.kind === 'single') return `redis (single, ${redactUrl(r.url)})`;
    if (r.kind === 'cluster') return `redis (cluster, ${r.nodes.map((n) => `${n.host}:${n.port}`).join(',')})`;
    return 'memory (in-process)';
  }

  /** The header every cache report carries. */
  async engineInfo(): Promise<EngineInfo> {
    const ks = await this.keyspace();
    const info: EngineInfo = { engine: ks.engine, topology: ks.topology, target: this.describeCache() };
    if (ks.engine === 'memory') info.note = MEMORY_ENGINE_NOTE;
    return info;
  }

  describeDatabase(): string {
    return redactUrl(this.config.databaseUrl);
  }

  get cacheKind(): 'redis' | 'memory' {
    return this.config.redis.kind === 'none' ? 'memory' : 'redis';
  }

  cache(): Promise<CacheEngine> {
    return (this.cachePromise ??= this.openCache());
  }

  async keyspace(): Promise<Keyspace> {
    const engine = await this.cache();
    return engine instanceof RedisEngine ? new RedisKeyspace(engine) : new MemoryKeyspace(engine as MemoryEngine);
  }

  orm(): Promise<Orm> {
    return (this.ormPromise ??= this.openDatabase());
  }

  /** The chat services over this job's ORM and cache (loaded on first use: the ORM is slow to load). */
  services(): Promise<ChatServices> {
    return (this.servicesPromise ??= (async () => {
      const [{ createChatServices }, { TokenService }, { createLogger }, { isDistributed }] = await Promise.all([
        import('../chat'),
        import('../auth'),
        import('../logger'),
        import('../db'),
      ]);
      const [orm, cache] = await Promise.all([this.orm(), this.cache()]);
      return createChatServices({
        orm,
        cache,
        limits: cacheLimits(this.config),
        tokens: new TokenService(this.config.sessionSecret),
        log: createLogger('silent'),
        sendRateLimitPer10s: this.config.sendRateLimitPer10s,
        distributed: await isDistributed(orm),
      });
    })());
  }

  async close(): Promise<void> {
    const [cache, orm] = await Promise.all([this.cachePromise?.catch(() => undefined), this.ormPromise?.catch(() => undefined)]);
    await cache?.close().catch(() => undefined);
    await orm?.close(true).catch(() => undefined);
  }

  private async openCache(): Promise<CacheEngine> {
    const limits = cacheLimits(this.config);
    if (this.config.redis.kind === 'none') return new MemoryEngine(limits);
    const client = createRedisClient(this.config.redis, 'ops');
    try {
      await connectOrFail(client, CONNECT_TIMEOUT_MS);
    } catch (err) {
      client.disconnect();
      throw OpsError.redisUnreachable(this.describeCache().replace(/^redis \((single|cluster), (.*)\)$/, '$2'), err);
    }
    // Later errors surface through the failing command; the event itself must not crash the job.
    client.on('error', () => undefined);
    return new RedisEngine(client, limits);
  }

  private async openDatabase(): Promise<Orm> {
    const { openOrm } = await import('../db');
    const opening = openOrm(this.config.databaseUrl);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
    });
    try {
      return await Promise.race([opening, timeout]);
    } catch (err) {
      // A late connection must not keep the job alive.
      opening.then((orm) => orm.close(true)).catch(() => undefined);
      throw OpsError.databaseUnreachable(this.describeDatabase(), err);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Resolves when the client is ready; rejects on its first error or after `timeoutMs`. */
function connectOrFail(client: RedisClient, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const onError = (err: Error) => done(err);
    const onReady = () => done();
    function done(err?: Error) {
      clearTimeout(timer);
      client.off('error', onError);
      client.off('ready', onReady);
      if (err) reject(err);
      else resolve();
    }
    client.once('error', onError);
    client.once('ready', onReady);
    client.connect().catch((err: Error) => done(err));
  });
}
