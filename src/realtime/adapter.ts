import { createAdapter, createShardedAdapter } from '@socket.io/redis-adapter';
import { Cluster, type Redis } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import { connectQuietly, createRedisClient, type RedisClient } from '../cache';
import type { RedisTarget } from '../config';
import { dropOwnServerSideEvents } from './own-events-filter';

/** The socket.io adapter the configuration names, with the connections it owns. */
export interface RealtimeAdapter {
  kind: 'memory' | 'redis' | 'redis-sharded';
  /** undefined: socket.io's in-memory adapter */
  adapter: ServerOptions['adapter'] | undefined;
  /** false with the in-memory adapter: there are no other pods to tell */
  crossPod: boolean;
  /** This pod's own server-side events the subscriber dropped unparsed (the classic Redis adapter only; see own-events-filter.ts). */
  ownEventsDropped(): number;
  close(): Promise<void>;
}

// The adapters publish without catching (the classic one) or subscribe without awaiting; a
// rejection there (Redis down) would be unhandled and end the process. Cross-pod delivery pausing
// is the documented degraded mode, and the ordered delivery fills what was lost from history.
const FIRE_AND_FORGET = [
  'publish',
  'spublish',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
] as const;

function quietRejections(client: RedisClient): RedisClient {
  const c = client as unknown as Record<string, unknown>;
  for (const name of FIRE_AND_FORGET) {
    const original = c[name];
    if (typeof original !== 'function') continue;
    c[name] = (...args: unknown[]) => {
      const result = (original as (...a: unknown[]) => unknown).apply(client, args);
      if (result instanceof Promise) result.catch(() => undefined);
      return result;
    };
  }
  client.on('error', () => undefined); // reconnects on its own; /health reports Redis through the cache
  return client;
}

/**
 * - no Redis: the in-memory adapter (one process);
 * - `REDIS_URL`: the Redis adapter over PUBLISH/PSUBSCRIBE, with its own publisher and subscriber;
 * - `REDIS_CLUSTER_NODES`: the sharded adapter (SPUBLISH/SSUBSCRIBE, Redis 7+), which needs one
 *   subscriber connection per shard (ioredis `shardedSubscribers`).
 */
export async function createRealtimeAdapter(target: RedisTarget): Promise<RealtimeAdapter> {
  if (target.kind === 'none')
    return { kind: 'memory', adapter: undefined, crossPod: false, ownEventsDropped: () => 0, close: async () => undefined };

  // Commands queue while (re)connecting, so subscriptions are made once Redis is there.
  const pub = quietRejections(createRedisClient(target, 'pub', { enableOfflineQueue: true }));
  let sub = createRedisClient(target, 'sub', { enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
  if (sub instanceof Cluster) sub = sub.duplicate(undefined, { shardedSubscribers: true });
  quietRejections(sub);
  const clients = [pub, sub];
  await Promise.all(clients.map((c) => connectQuietly(c)));

  const close = async () => {
    await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
  };
  if (target.kind === 'cluster') {
    // 'static': our chat traffic travels as server-side events on the namespace channel, so the
    // per-room channels of 'dynamic' mode would only add a SSUBSCRIBE per room for nothing.
    return {
      kind: 'redis-sharded',
      adapter: createShardedAdapter(pub, sub, { subscriptionMode: 'static' }),
      crossPod: true,
      ownEventsDropped: () => 0,
      close,
    };
  }
  const own = dropOwnServerSideEvents(sub as Redis);
  return { kind: 'redis', adapter: own.wrap(createAdapter(pub, sub)), crossPod: true, ownEventsDropped: () => own.dropped, close };
}
