import { chatCodeOfKey, keys } from '../cache';

/** What a cache key holds, told from its name (names come from cache/keys.ts only). */
export type KeyKind = 'messages' | 'backroom' | 'meta' | 'pinned' | 'reactions' | 'online' | 'user' | 'other';

export interface KeyRef {
  key: string;
  kind: KeyKind;
  /** the chat code of a `chat:{CODE}:…` key */
  chat: string | null;
  /** the message of a reactions hash */
  messageId: string | null;
  /** the user of a `user:{ID}:…` key, and what it holds */
  userId: string | null;
  what: string | null;
}

export interface KeyStat extends KeyRef {
  /** Redis type: zset, hash, string, set, … */
  type: string;
  /** members (zset, hash, set) or 1 for a string */
  count: number;
  /** Redis TTL answer: seconds, -1 no expiry */
  ttlSeconds: number;
}

export interface ScoredMember {
  member: string;
  score: number;
}

export interface MemoryInfo {
  usedBytes: number;
  usedHuman: string;
  peakBytes: number | null;
  maxBytes: number | null;
  policy: string | null;
  /** one entry per master (one for a single Redis) */
  nodes: { node: string; usedBytes: number }[];
}

/**
 * Read-and-delete access to the raw cache keys for the operator jobs, over either engine.
 * The services never need this: they go through CacheEngine.
 */
export interface Keyspace {
  readonly engine: 'redis' | 'memory';
  /** `single`, `cluster`, or `in-process` for the memory engine */
  readonly topology: 'single' | 'cluster' | 'in-process';
  /** Every key matching a glob pattern: SCAN on every master, never KEYS. */
  scan(pattern: string): Promise<string[]>;
  /** Type, member count and TTL of each key that exists (missing keys are left out). */
  stat(keyNames: string[]): Promise<KeyStat[]>;
  /** Sorted-set members by rank, ascending; negative ranks count from the end, as ZRANGE. */
  range(key: string, start: number, stop: number): Promise<ScoredMember[]>;
  /** Sorted-set members with min ≤ score ≤ max. */
  rangeByScore(key: string, min: number, max: number): Promise<ScoredMember[]>;
  /** Sorted-set members whose text contains `needle` (ZSCAN MATCH on Redis). */
  findMembers(key: string, needle: string): Promise<ScoredMember[]>;
  hash(key: string): Promise<Record<string, string>>;
  value(key: string): Promise<string | null>;
  /** Seconds since each key was last read or written; null where the engine cannot tell. */
  idleSeconds(keyNames: string[]): Promise<(number | null)[]>;
  /**
   * Bytes each key takes (Redis MEMORY USAGE, nested values sampled `samples` at a time, the key
   * not touched); null where the engine cannot tell or the key is gone.
   */
  memoryUsage(keyNames: string[], samples?: number): Promise<(number | null)[]>;
  /** Deletes keys; returns how many existed. */
  delete(keyNames: string[]): Promise<number>;
  /** Memory use from INFO (summed over a cluster's masters); null for the memory engine. */
  memory(): Promise<MemoryInfo | null>;
}

/** Redis's hash-tag rule: the text between the first `{` and the next `}`. */
function hashTag(key: string): string | null {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : null;
}

export function classifyKey(key: string): KeyRef {
  const ref: KeyRef = { key, kind: 'other', chat: null, messageId: null, userId: null, what: null };
  const code = chatCodeOfKey(key);
  if (code !== null) {
    ref.chat = code;
    const reactionsPrefix = keys.reactions(code, '');
    if (key === keys.window(code, 'main')) ref.kind = 'messages';
    else if (key === keys.window(code, 'backroom')) ref.kind = 'backroom';
    else if (key === keys.meta(code)) ref.kind = 'meta';
    else if (key === keys.pinned(code)) ref.kind = 'pinned';
    else if (key === keys.online(code)) ref.kind = 'online';
    else if (key.startsWith(reactionsPrefix)) {
      ref.kind = 'reactions';
      ref.messageId = key.slice(reactionsPrefix.length);
    }
    return ref;
  }
  const tag = hashTag(key);
  if (tag !== null && key.startsWith(keys.user(tag, ''))) {
    ref.kind = 'user';
    ref.userId = tag;
    ref.what = key.slice(keys.user(tag, '').length);
  }
  return ref;
}

/** Glob (`*`, `?`) → RegExp, for engines without SCAN MATCH. */
export function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
