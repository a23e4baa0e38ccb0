import { Cluster, type Redis } from 'ioredis';
import type { RedisEngine } from '../cache';
import { classifyKey, type KeyStat, type Keyspace, type MemoryInfo, type ScoredMember } from './keyspace';

/** Commands are sent in slices of this many keys; ioredis pipelines each slice on the socket. */
const SLICE = 500;

async function sliced<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += SLICE) out.push(...(await Promise.all(items.slice(i, i + SLICE).map(fn))));
  return out;
}

function pairs(flat: string[]): ScoredMember[] {
  const out: ScoredMember[] = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ member: flat[i], score: Number(flat[i + 1]) });
  return out;
}

function infoField(info: string, field: string): string | null {
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(info);
  return m ? m[1].trim() : null;
}

/** The keyspace of a single Redis or a Redis Cluster (every master is scanned). */
export class RedisKeyspace implements Keyspace {
  readonly engine = 'redis' as const;
  readonly topology: 'single' | 'cluster';

  constructor(private readonly redis: RedisEngine) {
    this.topology = redis.client instanceof Cluster ? 'cluster' : 'single';
  }

  private get client() {
    return this.redis.client;
  }

  private masters(): Redis[] {
    return this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
  }

  scan(pattern: string): Promise<string[]> {
    return this.redis.scan(pattern);
  }

  async stat(keyNames: string[]): Promise<KeyStat[]> {
    const stats = await sliced(keyNames, async (key): Promise<KeyStat | null> => {
      const [type, ttl] = await Promise.all([this.client.type(key), this.client.ttl(key)]);
      if (type === 'none') return null;
      const count =
        type === 'zset'
          ? await this.client.zcard(key)
          : type === 'hash'
            ? await this.client.hlen(key)
            : type === 'set'
              ? await this.client.scard(key)
              : type === 'list'
                ? await this.client.llen(key)
                : 1;
      return { ...classifyKey(key), type, count, ttlSeconds: ttl };
    });
    return stats.filter((s): s is KeyStat => s !== null);
  }

  async range(key: string, start: number, stop: number): Promise<ScoredMember[]> {
    return pairs(await this.client.zrange(key, start, stop, 'WITHSCORES'));
  }

  async rangeByScore(key: string, min: number, max: number): Promise<ScoredMember[]> {
    return pairs(await this.client.zrangebyscore(key, min, max, 'WITHSCORES'));
  }

  async findMembers(key: string, needle: string): Promise<ScoredMember[]> {
    const glob = `*${needle.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const found: ScoredMember[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.client.zscan(key, cursor, 'MATCH', glob, 'COUNT', 500);
      cursor = next;
      found.push(...pairs(flat));
    } while (cursor !== '0');
    return found;
  }

  hash(key: string): Promise<Record<string, string>> {
    return this.client.hgetall(key);
  }

  value(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  idleSeconds(keyNames: string[]): Promise<(number | null)[]> {
    // OBJECT IDLETIME does not count as an access, and errors under an LFU maxmemory-policy.
    return sliced(keyNames, (key) =>
      (this.client.object('IDLETIME', key) as Promise<number | null>).then(
        (n) => (n === null ? null : Number(n)),
        () => null,
      ),
    );
  }

  memoryUsage(keyNames: string[], samples = 5): Promise<(number | null)[]> {
    return sliced(keyNames, (key) =>
      (this.client.call('MEMORY', 'USAGE', key, 'SAMPLES', String(samples)) as Promise<number | null>).then(
        (n) => (n === null ? null : Number(n)),
        () => null,
      ),
    );
  }

  async delete(keyNames: string[]): Promise<number> {
    // Keys sharing a hash tag live in one slot, so one DEL per tag works on a cluster too.
    const groups = new Map<string, string[]>();
    for (const key of keyNames) {
      const tag = /\{([^}]+)\}/.exec(key)?.[1] ?? `\u0000${key}`;
      const group = groups.get(tag);
      if (group) group.push(key);
      else groups.set(tag, [key]);
    }
    const counts = await sliced([...groups.values()], (group) => this.client.del(...group));
    return counts.reduce((a, b) => a + b, 0);
  }

  async memory(): Promise<MemoryInfo> {
    const nodes = await Promise.all(
      this.masters().map(async (node) => ({ node: `${node.options.host}:${node.options.port}`, info: await node.info('memory') })),
    );
    const num = (info: string, field: string) => {
      const v = infoField(info, field);
      return v === null ? null : Number(v);
    };
    const used = nodes.map((n) => ({ node: n.node, usedBytes: num(n.info, 'used_memory') ?? 0 }));
    const first = nodes[0]?.info ?? '';
    const usedBytes = used.reduce((a, n) => a + n.usedBytes, 0);
    return {
      usedBytes,
      usedHuman: nodes.length === 1 ? (infoField(first, 'used_memory_human') ?? `${usedBytes}B`) : `${(usedBytes / 1048576).toFixed(2)}M`,
      peakBytes: nodes.length === 1 ? num(first, 'used_memory_peak') : null,
      maxBytes: num(first, 'maxmemory'),
      policy: infoField(first, 'maxmemory_policy'),
      nodes: used,
    };
  }
}
