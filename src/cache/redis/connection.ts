import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisTarget } from '../../config';

export type RedisClient = Redis | Cluster;

/** How long a cache command may take before the caller falls back to the database. @default 2000 */
export const COMMAND_TIMEOUT_MS = 2000;

const baseOptions: RedisOptions = {
  // Fail fast while disconnected: the database is the fallback, so queueing commands only adds latency.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: COMMAND_TIMEOUT_MS,
  // Reconnect forever, at most every 2 s, so the cache comes back by itself after an outage.
  retryStrategy: (times) => Math.min(times * 100, 2000),
  lazyConnect: true,
};

/**
 * A Redis client for the configured target. `purpose` names the connection in CLIENT LIST.
 * Pub/sub users (socket.io adapter) pass `{ enableOfflineQueue: true }` so subscriptions survive reconnects.
 */
export function createRedisClient(
  target: Exclude<RedisTarget, { kind: 'none' }>,
  purpose: string,
  overrides: RedisOptions = {},
): RedisClient {
  const options: RedisOptions = { ...baseOptions, connectionName: `chatpop:${purpose}`, ...overrides };
  if (target.kind === 'cluster') {
    return new Cluster(target.nodes, {
      enableOfflineQueue: options.enableOfflineQueue,
      enableAutoPipelining: options.enableAutoPipelining,
      lazyConnect: true,
      clusterRetryStrategy: options.retryStrategy,
      redisOptions: { ...options, password: target.password },
      scaleReads: 'master',
    });
  }
  return new Redis(target.url, options);
}

/** Redis refusing the credentials: retrying the same ones cannot succeed, so nobody should wait for it. */
export const isAuthRefusal = (err: Error): boolean => /^(WRONGPASS|NOAUTH)\b/.test(err.message);

/** The database Redis refused to SELECT (REDIS_URL's; ioredis goes on, ready, on database 0), or null. */
export function refusedDatabase(err: Error): string | null {
  const command = (err as { command?: { name?: string; args?: unknown[] } }).command;
  return command?.name === 'select' ? String(command.args?.[0]) : null;
}

/**
 * Connects, but never throws: a cache that is down at start is a degraded mode, not a failure.
 * Gives up after `timeoutMs`, or at once when Redis refuses the password (the client keeps
 * retrying in the background either way, so a fixed password or a Redis that comes up later is
 * picked up without a restart).
 */
export async function connectQuietly(client: RedisClient, timeoutMs = 3000): Promise<boolean> {
  if (client.status === 'ready') return true;
  const ready = new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      resolve(ok);
    };
    const onReady = () => done(true);
    const onError = (err: Error) => isAuthRefusal(err) && done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
    client.on('error', onError);
  });
  client.connect().catch(() => undefined);
  return ready;
}
