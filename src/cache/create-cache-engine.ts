import { ConfigError, type Config } from '../config';
import type { Logger } from '../logger';
import type { CacheEngine, CacheLimits } from './cache-engine';
import { MemoryEngine } from './memory/memory-engine';
import { connectQuietly, createRedisClient, isAuthRefusal, refusedDatabase } from './redis/connection';
import { RedisEngine } from './redis/redis-engine';

export function cacheLimits(config: Config): CacheLimits {
  return {
    maxCount: config.messageCacheMaxCount,
    ttlSeconds: config.messageCacheTtlSeconds,
    pinnedTtlSeconds: config.pinnedCacheTtlSeconds,
  };
}

/** The engine the configuration names: Redis (single or cluster) when set, else in-memory. */
export async function createCacheEngine(config: Config, log?: Logger): Promise<CacheEngine> {
  if (config.redis.kind === 'none') return new MemoryEngine(cacheLimits(config));
  // No auto-pipelining: its per-command promise chains kept the send path's young objects alive
  // through scavenges (promoted ~3 MB/s more at 6,800 sends/s), and first-page history reads were
  // no slower without it (docs/benchmark.md, fourth pass).
  const client = createRedisClient(config.redis, 'cache');
  // Errors are reported through health checks and the repair queue, not as unhandled events.
  client.on('error', () => undefined);
  // While connecting only: why a failed start failed, for the one warning below.
  let refused = false;
  let noDatabase: { db: string; err: Error } | undefined;
  const noteRefusal = (err: Error) => {
    refused ||= isAuthRefusal(err);
    const db = refusedDatabase(err);
    if (db !== null) noDatabase ??= { db, err };
  };
  client.on('error', noteRefusal);
  const ready = await connectQuietly(client);
  client.off('error', noteRefusal);
  if (noDatabase) {
    // Serving would put the cache in database 0, beside whatever lives there, and the jobs refuse it.
    client.disconnect();
    throw new ConfigError(
      'REDIS_URL',
      `Redis has no database ${noDatabase.db} (${noDatabase.err.message}); name one it has (0-15 unless its "databases" setting says otherwise)`,
    );
  }
  if (!ready) {
    // Once, at start: the reason an operator needs; /health reports the cache from then on.
    log?.warn(
      refused
        ? 'Redis refused the password: serving from the database until it accepts one (check the password in REDIS_URL)'
        : 'Redis not ready at start: serving from the database, reconnecting in the background',
    );
  }
  return new RedisEngine(client, cacheLimits(config));
}
