import type { Config } from '../config';
import type { CacheEngine, CacheLimits } from './cache-engine';
import { MemoryEngine } from './memory/memory-engine';
import { connectQuietly, createRedisClient } from './redis/connection';
import { RedisEngine } from './redis/redis-engine';

export function cacheLimits(config: Config): CacheLimits {
  return {
    maxCount: config.messageCacheMaxCount,
    ttlSeconds: config.messageCacheTtlSeconds,
    pinnedTtlSeconds: config.pinnedCacheTtlSeconds,
  };
}

/** The engine the configuration names: Redis (single or cluster) when set, else in-memory. */
export async function createCacheEngine(config: Config): Promise<CacheEngine> {
  if (config.redis.kind === 'none') return new MemoryEngine(cacheLimits(config));
  // Commands issued in one event-loop turn go out in one write: the window appends of every chat
  // a send commit stored, the window-state reads of many requests. Fewer system calls, which are
  // most of what a busy pod spends on Redis.
  const client = createRedisClient(config.redis, 'cache', { enableAutoPipelining: true });
  // Errors are reported through health checks and the repair queue, not as unhandled events.
  client.on('error', () => undefined);
  await connectQuietly(client);
  return new RedisEngine(client, cacheLimits(config));
}
