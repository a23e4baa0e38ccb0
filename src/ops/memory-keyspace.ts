import type { CachedMessage, MemoryEngine, PinEntry } from '../cache';
import { classifyKey, globToRegExp, type KeyStat, type Keyspace, type ScoredMember } from './keyspace';

/** The same Redis type names the Redis keyspace reports, so renderers need not care. */
const TYPES = {
  messages: 'zset',
  backroom: 'zset',
  pinned: 'zset',
  online: 'zset',
  meta: 'hash',
  reactions: 'hash',
  user: 'string',
  other: 'string',
} as const;

/**
 * The memory engine's keyspace. It lives inside one process, so a job sees only what the job itself
 * cached (nothing, usually); the jobs say so in their output.
 */
export class MemoryKeyspace implements Keyspace {
  readonly engine = 'memory' as const;
  readonly topology = 'in-process' as const;

  constructor(private readonly store: MemoryEngine) {}

  async scan(pattern: string): Promise<string[]> {
    const re = globToRegExp(pattern);
    return this.store.liveKeys().filter((k) => re.test(k));
  }

  async stat(keyNames: string[]): Promise<KeyStat[]> {
    const out: KeyStat[] = [];
    for (const key of keyNames) {
      const value = this.store.peek(key);
      if (value === undefined) continue;
      const ref = classifyKey(key);
      const count =
        value instanceof Map
          ? value.size
          : Array.isArray(value)
            ? value.length
            : typeof value === 'object' && value
              ? Object.keys(value).length
              : 1;
      out.push({ ...ref, type: TYPES[ref.kind], count, ttlSeconds: this.store.ttl(key) });
    }
    return out;
  }

  private members(key: string): ScoredMember[] {
    const value = this.store.peek(key);
    if (value instanceof Map) {
      return [...(value as Map<number, CachedMessage>).values()]
        .map((m) => ({ member: m.json, score: m.seq }))
        .sort((a, b) => a.score - b.score);
    }
    if (Array.isArray(value)) {
      return (value as PinEntry[]).map((p) => ({ member: p.json, score: p.pinnedUntilMs })).sort((a, b) => a.score - b.score);
    }
    return [];
  }

  async range(key: string, start: number, stop: number): Promise<ScoredMember[]> {
    const all = this.members(key);
    const from = start < 0 ? Math.max(0, all.length + start) : start;
    const to = stop < 0 ? all.length + stop : Math.min(stop, all.length - 1);
    return to < from ? [] : all.slice(from, to + 1);
  }

  async rangeByScore(key: string, min: number, max: number): Promise<ScoredMember[]> {
    return this.members(key).filter((m) => m.score >= min && m.score <= max);
  }

  async findMembers(key: string, needle: string): Promise<ScoredMember[]> {
    return this.members(key).filter((m) => m.member.includes(needle));
  }

  async hash(key: string): Promise<Record<string, string>> {
    const value = this.store.peek(key);
    if (!value || typeof value !== 'object' || value instanceof Map || Array.isArray(value)) return {};
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }

  async value(key: string): Promise<string | null> {
    const value = this.store.peek(key);
    return typeof value === 'string' ? value : null;
  }

  async idleSeconds(keyNames: string[]): Promise<(number | null)[]> {
    return keyNames.map(() => null);
  }

  async delete(keyNames: string[]): Promise<number> {
    return keyNames.filter((k) => this.store.delete(k)).length;
  }

  async memoryUsage(keyNames: string[]): Promise<(number | null)[]> {
    return keyNames.map(() => null);
  }

  async memory(): Promise<null> {
    return null;
  }
}
