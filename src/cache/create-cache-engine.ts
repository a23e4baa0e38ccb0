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
  // No auto-pipelining: its per-command promise chains kept the send path's young objects alive
  // through scavenges (promoted ~3 MB/s more at 6,800 sends/s), and first-page history reads were
  // no slower without it (docs/benchmark.md, fourth pass).
  const client = createRedisClient(config.redis, 'cache');
  // Errors are reported through health checks and the repair queue, not as unhandled events.
  client.on('error', () => undefined);
  await connectQuietly(client);
  return new RedisEngine(client, cacheLimits(config));
}
