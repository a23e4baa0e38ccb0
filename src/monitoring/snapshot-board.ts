import type { RedisClient } from '../cache';
// The keys alone: the cache's index loads ioredis, and server.ts loads monitoring before telemetry instruments it.
// eslint-disable-next-line no-restricted-imports -- see above
import { keys } from '../cache/keys';
import type { MonitorSnapshot } from './monitor';

/** Where pods leave their monitor snapshots for the dashboard and the `monitor` job. */
export interface SnapshotBoard {
  publish(snapshot: MonitorSnapshot): Promise<void>;
  /** The fresh snapshot of every pod, in no particular order. */
  list(): Promise<MonitorSnapshot[]>;
  /** Takes a pod off the board at once (on shutdown) rather than when its snapshot expires. */
  remove(pod: string): Promise<void>;
}

/** @default 10: a pod that stops publishing leaves the view within this many seconds. */
export const SNAPSHOT_TTL_SECONDS = 10;

function isSnapshot(value: unknown): value is MonitorSnapshot {
  const s = value as MonitorSnapshot;
  return typeof s === 'object' && s !== null && typeof s.pod === 'string' && typeof s.metrics === 'object' && Array.isArray(s.events);
}

/**
 * Snapshots in Redis: one key per pod with a short TTL, plus a sorted set of pod names scored by
 * expiry so readers need no SCAN. All keys carry the hash tag {monitor}: one slot on a cluster.
 */
export class RedisSnapshotBoard implements SnapshotBoard {
  constructor(
    private readonly client: RedisClient,
    private readonly ttlSeconds = SNAPSHOT_TTL_SECONDS,
  ) {}

  async publish(snapshot: MonitorSnapshot): Promise<void> {
    const now = Date.now();
    await this.client
      .multi()
      .set(keys.monitorPod(snapshot.pod), JSON.stringify(snapshot), 'EX', this.ttlSeconds)
      .zadd(keys.monitorPods, now + this.ttlSeconds * 1000, snapshot.pod)
      .zremrangebyscore(keys.monitorPods, '-inf', now)
      .exec();
  }

  async list(): Promise<MonitorSnapshot[]> {
    const pods = await this.client.zrangebyscore(keys.monitorPods, Date.now(), '+inf');
    if (pods.length === 0) return [];
    const raw = await this.client.mget(pods.map((pod) => keys.monitorPod(pod)));
    const out: MonitorSnapshot[] = [];
    for (const text of raw) {
      if (!text) continue; // expired between the two reads
      try {
        const value: unknown = JSON.parse(text);
        if (isSnapshot(value)) out.push(value);
      } catch {
        /* a damaged snapshot is skipped, the others still show */
      }
    }
    return out;
  }

  async remove(pod: string): Promise<void> {
    await this.client.multi().del(keys.monitorPod(pod)).zrem(keys.monitorPods, pod).exec();
  }
}
