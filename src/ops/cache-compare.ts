import { keys } from '../cache';
import { toMessageView, type ChatRef, type MessageFields } from '../chat';
import type { Channel } from '../domain';
import { parseEntry, type MessageEnd } from './inspect-reports';
import type { ScoredMember } from './keyspace';
import type { EngineInfo, OpsContext } from './ops-context';

// Loaded on demand (it pulls in the ORM through ../chat); reach it through CacheInspector's callers.

export interface ChannelComparison {
  channel: Channel;
  key: string;
  /** `not_cached`: no window at all, which is never wrong (reads go to the database) */
  status: 'in_sync' | 'out_of_sync' | 'not_cached';
  cache: { count: number; min_seq: number | null; max_seq: number | null; meta_last_seq: number | null; latest: MessageEnd | null };
  database: { count: number; last_seq: number; latest: MessageEnd | null };
  /**
   * the seqs checked: the range the window should hold (the newest MESSAGE_CACHE_MAX_COUNT seqs, or
   * the whole history when shorter; from the window's oldest member when it holds more) up to the
   * newest seq on either side
   */
  checked: { from: number; to: number } | null;
  /** in the database, absent from the window, from its oldest member up */
  missing: { seq: number; id: string }[];
  /** the window lost its oldest entries: messages of the checked range below its oldest member */
  missing_head: { from: number; to: number; count: number } | null;
  /** in the window, but the database has no such message (or the member is unreadable) */
  extra: { seq: number; id: string | null; reason: 'not_in_database' | 'other_message' | 'unreadable' }[];
  /** in both, with different content; `fields` names what differs */
  changed: { seq: number; id: string; fields: string[]; cache_version: number | null; database_version: number }[];
  /** the window's meta records another last seq than the database */
  meta_mismatch: boolean;
}

export interface CompareReport extends EngineInfo {
  code: string;
  in_database: boolean;
  in_sync: boolean;
  channels: ChannelComparison[];
}

export interface RepairReport extends EngineInfo {
  code: string;
  windows: { channel: Channel; key: string; count: number; min_seq: number | null; max_seq: number | null }[];
  pinned: number;
}

/** JSON with sorted keys, so `{a,b}` and `{b,a}` compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Fields of the cached JSON that differ from the database's view. `is_pinned` is left out: it is
 * derived from `pinned_until` and the clock, so an expired pin is not a difference.
 */
export function differingFields(cached: Record<string, unknown>, fresh: Record<string, unknown>): string[] {
  const names = new Set([...Object.keys(cached), ...Object.keys(fresh)]);
  names.delete('is_pinned');
  return [...names].filter((n) => canonical(cached[n]) !== canonical(fresh[n])).sort();
}

const endOf = (m: MessageFields | undefined): MessageEnd | null =>
  m ? { seq: m.seq, id: m.id, created_at: new Date(m.createdAt).toISOString() } : null;

/** PostgreSQL (or SQLite) against the cache, seq by seq, for one chat's windows. */
export async function compareChat(ctx: OpsContext, info: EngineInfo, code: string): Promise<CompareReport> {
  const ks = await ctx.keyspace();
  const { store } = await ctx.services();
  const chat: ChatRef | null = await store.chatRef(code).catch((err: { code?: string }) => {
    if (err?.code === 'not_found') return null;
    throw err;
  });
  const meta = await ks.hash(keys.meta(code));
  const channels: ChannelComparison[] = [];
  for (const channel of ['main', 'backroom'] as const) {
    const key = keys.window(code, channel);
    // The database's last seq is read before the window: a message sent meanwhile then shows up
    // in both (the range below is read after), never as a false "extra".
    const dbLast = chat ? await store.lastSeq(chat, channel) : 0;
    const members = await ks.range(key, 0, -1);
    const metaLast = meta[channel] !== undefined ? Number(meta[channel]) : null;
    const cmp: ChannelComparison = {
      channel,
      key,
      status: 'in_sync',
      cache: {
        count: members.length,
        min_seq: members[0]?.score ?? null,
        max_seq: members.at(-1)?.score ?? null,
        meta_last_seq: metaLast,
        latest: null,
      },
      database: { count: dbLast, last_seq: dbLast, latest: null },
      checked: null,
      missing: [],
      extra: [],
      changed: [],
      missing_head: null,
      meta_mismatch: false,
    };
    const top = members.at(-1);
    if (top)
      cmp.cache.latest = { seq: top.score, id: parseEntry(top.member)?.id ?? '?', created_at: parseEntry(top.member)?.created_at ?? '' };
    if (!members.length) {
      cmp.status = 'not_cached';
      if (chat && dbLast > 0) cmp.database.latest = endOf((await store.range(chat, channel, dbLast, dbLast))[0]);
      channels.push(cmp);
      continue;
    }
    const lo = members[0].score;
    const hi = Math.max(members.at(-1)!.score, dbLast);
    const from = Math.min(lo, Math.max(1, hi - ctx.config.messageCacheMaxCount + 1));
    cmp.checked = { from, to: hi };
    const rows = chat ? await store.range(chat, channel, from, hi) : [];
    const head = rows.filter((m) => m.seq < lo);
    if (head.length) cmp.missing_head = { from: head[0].seq, to: head.at(-1)!.seq, count: head.length };
    const bySeq = new Map(rows.map((m) => [m.seq, m]));
    const cachedBySeq = new Map<number, ScoredMember[]>();
    for (const m of members) cachedBySeq.set(m.score, [...(cachedBySeq.get(m.score) ?? []), m]);
    for (let seq = lo; seq <= hi; seq++) {
      const row = bySeq.get(seq);
      const cached = cachedBySeq.get(seq) ?? [];
      if (!cached.length) {
        if (row) cmp.missing.push({ seq, id: row.id });
        continue;
      }
      for (const m of cached) {
        const entry = parseEntry(m.member);
        if (!entry) cmp.extra.push({ seq, id: null, reason: 'unreadable' });
        else if (!row) cmp.extra.push({ seq, id: entry.id, reason: 'not_in_database' });
        else if (entry.id !== row.id) cmp.extra.push({ seq, id: entry.id, reason: 'other_message' });
        else {
          const fresh = toMessageView(row, code) as unknown as Record<string, unknown>;
          const fields = differingFields(entry as unknown as Record<string, unknown>, fresh);
          if (fields.length) {
            cmp.changed.push({ seq, id: row.id, fields, cache_version: entry.version ?? null, database_version: row.version });
          }
        }
      }
    }
    const dbLatest = bySeq.get(dbLast) ?? (chat && dbLast > 0 ? (await store.range(chat, channel, dbLast, dbLast))[0] : undefined);
    cmp.database.latest = endOf(dbLatest);
    cmp.meta_mismatch = metaLast !== null && metaLast !== dbLast;
    if (cmp.missing.length || cmp.missing_head || cmp.extra.length || cmp.changed.length || cmp.meta_mismatch) cmp.status = 'out_of_sync';
    channels.push(cmp);
  }
  return { ...info, code, in_database: chat !== null, in_sync: channels.every((c) => c.status !== 'out_of_sync'), channels };
}

/** Rebuilds the chat's windows and pins from the database, replacing what the cache holds. */
export async function repairChat(ctx: OpsContext, info: EngineInfo, code: string): Promise<RepairReport> {
  const { rebuilder } = await ctx.services();
  await rebuilder.rebuild(code, true);
  const engine = await ctx.cache();
  const windows: RepairReport['windows'] = [];
  for (const channel of ['main', 'backroom'] as const) {
    const w = await engine.windowInfo(code, channel);
    windows.push({ channel, key: keys.window(code, channel), count: w.count, min_seq: w.minSeq, max_seq: w.maxSeq });
  }
  const pins = await engine.readPins(code, Date.now());
  return { ...info, code, windows, pinned: pins?.length ?? 0 };
}
