import { keys, type RedisClient } from '../cache';

/** One live connection in a chat. `id` is unique across pods (`<pod>/<socket id>`). */
export interface PresenceEntry {
  code: string;
  id: string;
  username: string;
}

/**
 * Who is connected to which chat, shared by every pod. Entries expire unless their pod refreshes
 * them, so the connections of a pod that died without saying goodbye disappear by themselves.
 */
export interface PresenceStore {
  /** Adds or refreshes entries until `now + ttlMs`; expired entries of the same chats are dropped. */
  put(entries: PresenceEntry[], ttlMs: number): Promise<void>;
  remove(entries: PresenceEntry[]): Promise<void>;
  /** Distinct usernames with a live entry, sorted. */
  online(code: string): Promise<string[]>;
  close(): Promise<void>;
}

const member = (e: Pick<PresenceEntry, 'id' | 'username'>) => `${e.id}|${e.username}`;
// Usernames never hold '|' (chat/inputs.ts), pod names and socket ids neither.
const usernameOf = (m: string) => m.slice(m.lastIndexOf('|') + 1);

function byChat<T extends { code: string }>(entries: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const e of entries) {
    const g = groups.get(e.code);
    if (g) g.push(e);
    else groups.set(e.code, [e]);
  }
  return groups;
}

const distinctSorted = (names: string[]) => [...new Set(names)].sort();

/** `chat:{CODE}:online`: a sorted set scored by expiry time (ms); one key per chat, so one slot. */
export class RedisPresenceStore implements PresenceStore {
  constructor(
    private readonly client: RedisClient,
    private readonly now: () => number = Date.now,
  ) {}

  async put(entries: PresenceEntry[], ttlMs: number): Promise<void> {
    const now = this.now();
    const expires = now + ttlMs;
    // One pipeline per chat: on a cluster a pipeline must stay inside one slot.
    await this.eachChat(entries, (pipeline, key, group) => {
      const args: (string | number)[] = [];
      for (const e of group) args.push(expires, member(e));
      pipeline.zadd(key, ...args);
      pipeline.zremrangebyscore(key, '-inf', now);
      // The key itself goes when no pod refreshes it any more.
      pipeline.pexpire(key, ttlMs);
    });
  }

  async remove(entries: PresenceEntry[]): Promise<void> {
    await this.eachChat(entries, (pipeline, key, group) => pipeline.zrem(key, ...group.map(member)));
  }

  private async eachChat(
    entries: PresenceEntry[],
    build: (pipeline: ReturnType<RedisClient['pipeline']>, key: string, group: PresenceEntry[]) => void,
  ) {
    await Promise.all(
      [...byChat(entries)].map(async ([code, group]) => {
        const pipeline = this.client.pipeline();
        build(pipeline, keys.online(code), group);
        const failed = ((await pipeline.exec()) ?? []).find(([err]) => err);
        if (failed) throw failed[0];
      }),
    );
  }

  async online(code: string): Promise<string[]> {
    const members = await this.client.zrangebyscore(keys.online(code), `(${this.now()}`, '+inf');
    return distinctSorted(members.map(usernameOf));
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

/** The single-process store, for running without Redis. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly chats = new Map<string, Map<string, { username: string; expiresAt: number }>>();

  constructor(private readonly now: () => number = Date.now) {}

  async put(entries: PresenceEntry[], ttlMs: number): Promise<void> {
    const now = this.now();
    for (const [code, group] of byChat(entries)) {
      let chat = this.chats.get(code);
      if (!chat) this.chats.set(code, (chat = new Map()));
      for (const e of group) chat.set(e.id, { username: e.username, expiresAt: now + ttlMs });
      this.expire(code, now);
    }
  }

  async remove(entries: PresenceEntry[]): Promise<void> {
    for (const e of entries) this.chats.get(e.code)?.delete(e.id);
  }

  async online(code: string): Promise<string[]> {
    this.expire(code, this.now());
    return distinctSorted([...(this.chats.get(code)?.values() ?? [])].map((v) => v.username));
  }

  async close(): Promise<void> {
    this.chats.clear();
  }

  private expire(code: string, now: number) {
    const chat = this.chats.get(code);
    if (!chat) return;
    for (const [id, v] of chat) if (v.expiresAt <= now) chat.delete(id);
    if (chat.size === 0) this.chats.delete(code);
  }
}
