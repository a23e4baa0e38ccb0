import { keys } from '../cache';
import type { Channel } from '../domain';
import { classifyKey, type KeyKind, type KeyStat, type Keyspace, type ScoredMember } from './keyspace';
import type { CompareReport, RepairReport } from './cache-compare';
import {
  parseEntry,
  toMessageLine,
  type CachedView,
  type ChatReport,
  type ClearPlan,
  type FamilyMemory,
  type ListReport,
  type ListSort,
  type ListedKey,
  type MessageEnd,
  type MessageLookup,
  type ReactionLine,
  type StatsReport,
  type WindowReport,
} from './inspect-reports';
import type { EngineInfo, OpsContext } from './ops-context';

/** `inspect --list` asks MEMORY USAGE of at most this many keys. @default 10000 */
export const LIST_MEASURE_MAX = 10_000;
/** `inspect --stats` measures at most this many keys per key family and scales the rest. @default 200 */
export const FAMILY_SAMPLE = 200;

/** Keys whose members are whole messages. */
const MEMBER_KINDS: KeyKind[] = ['messages', 'backroom', 'pinned'];

const toListed = (s: KeyStat): ListedKey => ({
  key: s.key,
  kind: s.kind,
  chat: s.chat,
  type: s.type,
  count: s.count,
  ttl_seconds: s.ttlSeconds,
});

const toEnd = (m: ScoredMember | undefined): MessageEnd | null => {
  if (!m) return null;
  const v = parseEntry(m.member);
  return { seq: m.score, id: v?.id ?? '?', created_at: v?.created_at ?? '' };
};

/**
 * Read-side of `inspect`: what the cache holds, per key, per chat and in total. Works on the raw
 * keys (SCAN, ZRANGE, TTL…) so it shows the cache as it is, not as the services would read it.
 */
export class CacheInspector {
  constructor(private readonly ctx: OpsContext) {}

  engineInfo(): Promise<EngineInfo> {
    return this.ctx.engineInfo();
  }

  /**
   * Keys matching `pattern` (default every chat key) with type, member count, TTL and memory, ordered
   * by chat then key or by `sort`, the first `limit` of them. MEMORY USAGE is asked of at most
   * LIST_MEASURE_MAX keys: those listed, or (sorting by memory) the first that many matched.
   */
  async list(opts: { pattern?: string; limit?: number; sort?: ListSort } = {}): Promise<ListReport> {
    const ks = await this.ctx.keyspace();
    const pattern = opts.pattern ?? keys.chatPattern;
    const sort = opts.sort ?? 'key';
    const stats = await ks.stat(await ks.scan(pattern));
    const listed = stats.map(toListed);
    let measured = 0;
    const measure = async (which: ListedKey[], what: 'memory' | 'idle') => {
      const names = which.map((k) => k.key);
      if (what === 'memory' && ks.engine === 'redis') measured += names.length;
      const values = what === 'memory' ? await ks.memoryUsage(names) : await ks.idleSeconds(names);
      which.forEach((k, i) => (what === 'memory' ? (k.memory_bytes = values[i]) : (k.idle_seconds = values[i])));
    };
    if (sort === 'memory') await measure(listed.slice(0, LIST_MEASURE_MAX), 'memory');
    if (sort === 'idle') await measure(listed, 'idle');
    const by: Record<ListSort, (a: ListedKey, b: ListedKey) => number> = {
      key: (a, b) => (a.chat ?? '').localeCompare(b.chat ?? '') || a.key.localeCompare(b.key),
      size: (a, b) => b.count - a.count || a.key.localeCompare(b.key),
      memory: (a, b) => (b.memory_bytes ?? -1) - (a.memory_bytes ?? -1) || a.key.localeCompare(b.key),
      idle: (a, b) => (b.idle_seconds ?? -1) - (a.idle_seconds ?? -1) || a.key.localeCompare(b.key),
    };
    listed.sort(by[sort]);
    const shown = listed.slice(0, opts.limit ?? listed.length);
    if (sort !== 'memory') await measure(shown.slice(0, LIST_MEASURE_MAX), 'memory');
    if (sort !== 'idle') await measure(shown, 'idle');
    for (const k of shown) {
      k.memory_bytes ??= null;
      k.idle_seconds ??= null;
    }
    return {
      ...(await this.engineInfo()),
      pattern,
      sort,
      keys: shown,
      totals: {
        keys: stats.length,
        chats: new Set(stats.filter((s) => s.chat !== null).map((s) => s.chat)).size,
        shown: shown.length,
        measured,
      },
    };
  }

  /** Memory by key family: MEMORY USAGE of at most FAMILY_SAMPLE keys per family, scaled to the family. */
  private async familyMemory(ks: Keyspace, keyNames: string[]): Promise<FamilyMemory[]> {
    const families = new Map<string, string[]>();
    for (const key of keyNames) {
      const ref = classifyKey(key);
      const family = ref.kind === 'user' ? `user:${ref.what ?? '?'}` : ref.kind;
      const list = families.get(family);
      if (list) list.push(key);
      else families.set(family, [key]);
    }
    const out = await Promise.all(
      [...families].map(async ([family, names]): Promise<FamilyMemory> => {
        // Evenly spread over the family, so a sample is not just the first chats scanned.
        const step = Math.max(1, names.length / FAMILY_SAMPLE);
        const sample: string[] = [];
        for (let i = 0; i < names.length && sample.length < FAMILY_SAMPLE; i += step) sample.push(names[Math.floor(i)]);
        const sizes = (await ks.memoryUsage(sample)).filter((n): n is number => n !== null);
        const bytes = sizes.length ? Math.round((sizes.reduce((a, b) => a + b, 0) / sizes.length) * names.length) : null;
        return { family, keys: names.length, measured: sizes.length, bytes };
      }),
    );
    return out.sort((a, b) => (b.bytes ?? -1) - (a.bytes ?? -1) || a.family.localeCompare(b.family));
  }

  /** Totals across every chat. */
  async stats(): Promise<StatsReport> {
    const ks = await this.ctx.keyspace();
    const engine = await this.ctx.cache();
    const [chatStats, userKeys, waiting, memory] = await Promise.all([
      ks.scan(keys.chatPattern).then((k) => ks.stat(k)),
      ks.scan(keys.userPattern),
      engine.repairDepth(),
      ks.memory(),
    ]);
    const families = memory ? await this.familyMemory(ks, [...chatStats.map((s) => s.key), ...userKeys]) : [];
    const of = (kind: string) => chatStats.filter((s) => s.kind === kind);
    const windows = [...of('messages'), ...of('backroom')];
    const fullest = windows.reduce<KeyStat | null>((max, s) => (!max || s.count > max.count ? s : max), null);
    const ttls = windows.map((s) => s.ttlSeconds).filter((t) => t >= 0);
    const sum = (list: KeyStat[]) => list.reduce((a, s) => a + s.count, 0);
    return {
      ...(await this.engineInfo()),
      chats_cached: new Set(windows.map((s) => s.chat)).size,
      messages_cached: sum(windows),
      main_windows: of('messages').length,
      backroom_caches: of('backroom').length,
      backroom_messages: sum(of('backroom')),
      pinned_caches: of('pinned').length,
      pinned_messages: sum(of('pinned')),
      reaction_caches: of('reactions').length,
      user_keys: userKeys.length,
      max_per_cache: { count: fullest?.count ?? 0, key: fullest?.key ?? null, limit: this.ctx.config.messageCacheMaxCount },
      ttl: {
        min_seconds: ttls.length ? Math.min(...ttls) : null,
        max_seconds: ttls.length ? Math.max(...ttls) : null,
        configured_seconds: this.ctx.config.messageCacheTtlSeconds,
      },
      repair_waiting: waiting,
      memory: memory && { used_bytes: memory.usedBytes, used_human: memory.usedHuman, families },
    };
  }

  /** One chat: database record, windows, pins, reaction caches; optionally messages and reactions. */
  async chat(code: string, opts: { messages?: number; reactions?: number } = {}): Promise<ChatReport> {
    const ks = await this.ctx.keyspace();
    const services = await this.ctx.services();
    const row = await services.store.chat(code).catch((err: { code?: string }) => {
      if (err?.code === 'not_found') return null;
      throw err;
    });
    const [main, backroom, meta, pinned, reactionStats] = await Promise.all([
      this.window(ks, keys.window(code, 'main')),
      this.window(ks, keys.window(code, 'backroom')),
      ks.hash(keys.meta(code)),
      this.pinned(ks, code),
      ks.scan(keys.reactions(code, '*')).then((k) => ks.stat(k)),
    ]);
    main.meta_last_seq = meta.main !== undefined ? Number(meta.main) : null;
    backroom.meta_last_seq = meta.backroom !== undefined ? Number(meta.backroom) : null;
    const reactionTtls = reactionStats.map((s) => s.ttlSeconds);
    const report: ChatReport = {
      ...(await this.engineInfo()),
      code,
      chat: row && {
        name: row.name,
        kind: row.kind,
        last_seq_main: row.lastSeqMain,
        last_seq_backroom: row.lastSeqBackroom,
        version: row.version,
        created_at: new Date(row.createdAt).toISOString(),
        last_message_at: new Date(row.lastMessageAt).toISOString(),
      },
      windows: { main, backroom },
      pinned,
      reactions: {
        caches: reactionStats.length,
        ttl_min_seconds: reactionTtls.length ? Math.min(...reactionTtls) : null,
        ttl_max_seconds: reactionTtls.length ? Math.max(...reactionTtls) : null,
      },
    };
    if (opts.messages !== undefined) {
      const members = opts.messages > 0 ? await ks.range(keys.window(code, 'main'), -opts.messages, -1) : [];
      report.messages = members
        .reverse()
        .map((m) => ({ m, v: parseEntry(m.member) }))
        .filter((x): x is { m: ScoredMember; v: CachedView } => x.v !== null)
        .map(({ m, v }) => toMessageLine(v, m.score));
    }
    if (opts.reactions !== undefined) report.reaction_details = await this.reactionDetails(ks, code, reactionStats, opts.reactions);
    return report;
  }

  /** Where a message is: the database row and every cache key holding it. */
  async message(id: string, code?: string): Promise<MessageLookup> {
    const ks = await this.ctx.keyspace();
    const services = await this.ctx.services();
    const { findMessage } = await import('./chat-database');
    const found = await findMessage(services, id);
    const lookup: MessageLookup = { ...(await this.engineInfo()), id, database: { found: false }, cache: [] };
    if (found) {
      const { message: m, chatCode } = found;
      lookup.database = {
        found: true,
        chat_code: chatCode,
        channel: m.channel,
        seq: m.seq,
        version: m.version,
        message_type: m.messageType,
        username: m.username,
        content: m.content,
        deleted: m.deleted,
        created_at: new Date(m.createdAt).toISOString(),
      };
    }
    const chatCode = found?.chatCode ?? code;
    const windowKeys = chatCode
      ? [keys.window(chatCode, 'main'), keys.window(chatCode, 'backroom'), keys.pinned(chatCode)]
      : (await ks.scan(keys.chatPattern)).filter((k) => MEMBER_KINDS.includes(classifyKey(k).kind));
    for (const key of windowKeys) {
      for (const m of await ks.findMembers(key, id)) {
        if (parseEntry(m.member)?.id === id) lookup.cache.push({ key, kind: classifyKey(key).kind, score: m.score, entry: m.member });
      }
    }
    const codes = chatCode ? [chatCode] : [...new Set(lookup.cache.map((c) => classifyKey(c.key).chat!))];
    for (const c of codes) {
      const reactions = await ks.hash(keys.reactions(c, id));
      const counts = Object.fromEntries(Object.entries(reactions).map(([emoji, n]) => [emoji, Number(n)]));
      if (Object.keys(counts).length)
        lookup.cache.push({ key: keys.reactions(c, id), kind: 'reactions', score: 0, entry: JSON.stringify(counts) });
    }
    return lookup;
  }

  /** Database against cache, seq by seq; see cache-compare.ts. */
  async compare(code: string): Promise<CompareReport> {
    const { compareChat } = await import('./cache-compare');
    return compareChat(this.ctx, await this.engineInfo(), code);
  }

  /** Rebuilds the chat's windows and pins from the database (replacing them). */
  async repair(code: string): Promise<RepairReport> {
    const { repairChat } = await import('./cache-compare');
    return repairChat(this.ctx, await this.engineInfo(), code);
  }

  /** The keys `--clear` would delete: the chat's windows, meta, pins and reaction caches. */
  async clearPlan(code: string): Promise<ClearPlan> {
    const ks = await this.ctx.keyspace();
    const names = [
      keys.window(code, 'main'),
      keys.window(code, 'backroom'),
      keys.meta(code),
      keys.pinned(code),
      ...(await ks.scan(keys.reactions(code, '*'))),
    ];
    return { ...(await this.engineInfo()), code, keys: (await ks.stat(names)).map(toListed) };
  }

  /** Forgets everything cached for the chat (the database keeps the history). */
  async clear(code: string): Promise<void> {
    await (await this.ctx.cache()).dropChat(code);
  }

  private async window(ks: Keyspace, key: string): Promise<WindowReport> {
    const [stat] = await ks.stat([key]);
    if (!stat) return { key, exists: false, count: 0, ttl_seconds: -2, meta_last_seq: null, oldest: null, newest: null };
    const [first, last] = await Promise.all([ks.range(key, 0, 0), ks.range(key, -1, -1)]);
    return {
      key,
      exists: true,
      count: stat.count,
      ttl_seconds: stat.ttlSeconds,
      meta_last_seq: null,
      oldest: toEnd(first[0]),
      newest: toEnd(last[0]),
    };
  }

  private async pinned(ks: Keyspace, code: string): Promise<ChatReport['pinned']> {
    const key = keys.pinned(code);
    const [stat] = await ks.stat([key]);
    if (!stat) return { key, exists: false, count: 0, ttl_seconds: -2, pins: [] };
    const pins = (await ks.range(key, 0, -1)).flatMap((m) => {
      const v = parseEntry(m.member);
      return v
        ? [
            {
              id: v.id,
              seq: v.seq,
              username: v.username,
              pinned_until: v.pinned_until ?? new Date(m.score).toISOString(),
              amount_cents: v.pin_amount_cents,
            },
          ]
        : [];
    });
    return { key, exists: true, count: stat.count, ttl_seconds: stat.ttlSeconds, pins };
  }

  private async reactionDetails(ks: Keyspace, code: string, stats: KeyStat[], limit: number): Promise<ReactionLine[]> {
    // Reaction hashes are keyed by message id; the windows tell which seq each id has.
    const seqOf = new Map<string, number>();
    for (const channel of ['main', 'backroom'] as const) {
      for (const m of await ks.range(keys.window(code, channel), 0, -1)) {
        const v = parseEntry(m.member);
        if (v) seqOf.set(v.id, m.score);
      }
    }
    const lines = await Promise.all(
      stats.map(async (s): Promise<ReactionLine> => {
        const raw = await ks.hash(s.key);
        const counts = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Number(v)]));
        return { key: s.key, message_id: s.messageId!, seq: seqOf.get(s.messageId!) ?? null, ttl_seconds: s.ttlSeconds, counts };
      }),
    );
    lines.sort((a, b) => (b.seq ?? -1) - (a.seq ?? -1));
    return lines.slice(0, limit);
  }
}
