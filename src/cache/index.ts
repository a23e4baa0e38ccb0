export type { CacheEngine, CacheLimits, CachedMessage, WindowRead, WindowInfo, WindowState, PinEntry } from './cache-engine';
export { keys, chatCodeOfKey } from './keys';
export { pageRange, type PageRequest } from './page-range';
export { MemoryEngine } from './memory/memory-engine';
export { RedisEngine } from './redis/redis-engine';
export { createRedisClient, connectQuietly, COMMAND_TIMEOUT_MS, type RedisClient } from './redis/connection';
export { createCacheEngine, cacheLimits } from './create-cache-engine';
