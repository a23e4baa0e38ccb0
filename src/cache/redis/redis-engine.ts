import { Cluster, type Redis } from 'ioredis';
import type { Channel } from '../../domain';
import type { CacheEngine, CacheLimits, CachedMessage, PinEntry, WindowInfo, WindowRead, WindowState } from '../cache-engine';
import { keys } from '../keys';
import type { PageRequest } from '../page-range';
import type { RedisClient } from './connection';
import { isNoScript, registerScripts, SCRIPT_SHA, type ScriptCommands } from './scripts';
import { TickCork } from './tick-cork';

function triples(messages: CachedMessage[]): (string | number)[] {
  const argv: (string | number)[] = [];
  for (const m of messages) argv.push(m.seq, m.version, m.json);
  return argv;
}

/** The production engine: one Lua round trip per window write or page read. */
export class RedisEngine implements CacheEngine {
  readonly kind = 'redis' as const;
  readonly client: RedisClient & ScriptCommands;
  private readonly cork: TickCork;

  constructor(
    client: RedisClient,
    private readonly limits: CacheLimits,
  ) {
    this.client = registerScripts(client);
    this.cork = new TickCork(client);
  }

  async append(code: string, channel: Channel, messages: CachedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.upsert('append', code, channel, messages, 0);
  }

  async update(code: string, channel: Channel, message: CachedMessage): Promise<void> {
    await this.upsert('update', code, channel, [message], 0);
  }

  async rebuild(code: string, channel: Channel, messages: CachedMessage[], lastSeq: number, exact: boolean): Promise<void> {
    await this.upsert(exact ? 'rebuild' : 'append', code, channel, messages, lastSeq);
  }

  /**
   * Every window write. The writes of one tick share a socket write (TickCork).
   * A plain EVALSHA, not the registered command: that one wraps each call in more promises and
   * closures, and on the send path (every commit appends) they kept young objects alive through
   * scavenges (docs/benchmark.md, fourth pass). When Redis lacks the script, the registered
   * command sends it (EVAL) and later calls find it again.
   */
  private async upsert(mode: string, code: string, channel: Channel, messages: CachedMessage[], floor: number) {
    const { maxCount, ttlSeconds } = this.limits;
    const window = keys.window(code, channel);
    const meta = keys.meta(code);
    const argv = [mode, maxCount, ttlSeconds, channel, floor, ...triples(messages)];
    this.cork.hold();
    try {
      await this.client.evalsha(SCRIPT_SHA.chatpopUpsert, 2, window, meta, ...argv);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      await this.client.chatpopUpsert(window, meta, ...argv);
    }
  }

  async readPage(code: string, channel: Channel, req: PageRequest): Promise<WindowRead> {
    const cursor = req.mode === 'before' ? req.before : req.mode === 'after' ? req.after : 0;
    const reply = await this.client.chatpopReadWindow(keys.window(code, channel), keys.meta(code), channel, req.mode, cursor, req.limit);
    if (Number(reply[0]) < 0) return { lastSeq: null, lo: 0, hi: -1, entries: [], count: 0 };
    const flat = (reply[3] ?? []) as string[];
    const entries: WindowRead['entries'] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ json: flat[i], seq: Number(flat[i + 1]) });
    return { lastSeq: Number(reply[0]), lo: Number(reply[1]), hi: Number(reply[2]), entries, count: Number(reply[4] ?? 0) };
  }

  async windowState(code: string, channel: Channel): Promise<WindowState | null> {
    const [last, count] = await this.client.chatpopWindowState(keys.window(code, channel), keys.meta(code), channel);
    return last < 0 ? null : { lastSeq: Number(last), count: Number(count) };
  }

  async dropMeta(code: string): Promise<void> {
    await this.client.del(keys.meta(code));
  }

  async dropChat(code: string): Promise<void> {
    // Reaction hashes are found by SCAN on the chat's own pattern (one slot in a cluster).
    const pattern = `chat:{${code}}:reactions:*`;
    const reactionKeys = await this.scan(pattern);
    const all = [keys.window(code, 'main'), keys.window(code, 'backroom'), keys.meta(code), keys.pinned(code), ...reactionKeys];
    await this.client.del(...all);
  }

  async windowInfo(code: string, channel: Channel): Promise<WindowInfo> {
    const key = keys.window(code, channel);
    const [count, ttl, first, last] = await Promise.all([
      this.client.zcard(key),
      this.client.ttl(key),
      this.client.zrange(key, 0, 0, 'WITHSCORES'),
      this.client.zrange(key, -1, -1, 'WITHSCORES'),
    ]);
    return {
      count,
      ttlSeconds: ttl,
      minSeq: first.length ? Number(first[1]) : null,
      maxSeq: last.length ? Number(last[1]) : null,
    };
  }

  async readPins(code: string, nowMs: number): Promise<PinEntry[] | null> {
    const key = keys.pinned(code);
    const [exists, members] = await Promise.all([
      this.client.exists(key),
      this.client.zrangebyscore(key, `(${nowMs}`, '+inf', 'WITHSCORES'),
    ]);
    if (!exists) return null;
    const pins: PinEntry[] = [];
    for (let i = 0; i < members.length; i += 2) {
      const json = members[i];
      pins.push({ json, pinnedUntilMs: Number(members[i + 1]), messageId: (JSON.parse(json) as { id: string }).id });
    }
    return pins;
  }

  async writePin(code: string, pin: PinEntry, nowMs: number): Promise<boolean> {
    return (
      (await this.client.chatpopPin(
        keys.pinned(code),
        'set',
        nowMs,
        this.limits.pinnedTtlSeconds,
        pin.pinnedUntilMs,
        pin.messageId,
        pin.json,
      )) >= 0
    );
  }

  async rebuildPins(code: string, pins: PinEntry[], nowMs: number): Promise<void> {
    const argv = pins.flatMap((p) => [p.pinnedUntilMs, p.messageId, p.json]);
    await this.client.chatpopPin(keys.pinned(code), 'rebuild', nowMs, this.limits.pinnedTtlSeconds, ...argv);
  }

  async readReactions(code: string, messageId: string): Promise<Record<string, number> | null> {
    const raw = await this.client.hgetall(keys.reactions(code, messageId));
    if (Object.keys(raw).length === 0) return null;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
  }

  async writeReactions(code: string, messageId: string, counts: Record<string, number>): Promise<void> {
    const key = keys.reactions(code, messageId);
    const tx = this.client.multi().del(key);
    const entries = Object.entries(counts).filter(([, n]) => n > 0);
    if (entries.length) tx.hset(key, Object.fromEntries(entries)).expire(key, this.limits.ttlSeconds);
    await tx.exec();
  }

  async pushRepair(codes: string[]): Promise<void> {
    if (codes.length) await this.client.sadd(keys.repairQueue, ...codes);
  }

  async popRepair(max: number): Promise<string[]> {
    return (await this.client.spop(keys.repairQueue, max)) ?? [];
  }

  async repairDepth(): Promise<number> {
    return this.client.scard(keys.repairQueue);
  }

  async getUserValue(userId: string, what: string): Promise<string | null> {
    return this.client.get(keys.user(userId, what));
  }

  async setUserValue(userId: string, what: string, value: string, ttlSeconds: number): Promise<void> {
    await this.client.set(keys.user(userId, what), value, 'EX', ttlSeconds);
  }

  async deleteUserValues(userId: string, what?: string[]): Promise<void> {
    const names = what ?? (await this.scan(`user:{${userId}}:*`));
    const full = what ? names.map((w) => keys.user(userId, w)) : names;
    if (full.length) await this.client.del(...full);
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.client.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  /** SCAN every node that holds data (each master of a cluster) for a pattern; never KEYS. */
  async scan(pattern: string): Promise<string[]> {
    const nodes: Redis[] = this.client instanceof Cluster ? this.client.nodes('master') : [this.client];
    const found: string[] = [];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
    }
    return found;
  }
}
