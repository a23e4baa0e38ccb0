import type { CacheEngine, CacheLimits, PageRequest, WindowRead, WindowState } from '../cache';
import { pageRange } from '../cache';
import type { Channel } from '../domain';
import { ATTR, traced } from '../telemetry';
import type { ChatRef, MessageStore } from './message-store';
import { toMessageView, type MessageView } from './message-view';
import { CoalescedRead } from './coalesced-read';
import type { HistoryPage, HistorySource } from './history-page';
import type { KeptPage, PageMemo } from './page-memo';
import type { RepairQueue } from './repair-queue';

/**
 * Cache-first reads that cannot be wrong: seqs are contiguous, so a page's range says exactly
 * which messages the answer must hold; whatever the window lacks comes from the database.
 */
export class HistoryService {
  /** window states of kept pages: concurrent readers of a hot chat share one round trip */
  private readonly states = new CoalescedRead<WindowState | null>();
  /** `code:channel` → the highest last seq read: seqs only grow, so it stays a lower bound */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly store: MessageStore,
    private readonly engine: CacheEngine,
    private readonly repair: RepairQueue,
    private readonly limits: CacheLimits,
    private readonly memo: PageMemo,
  ) {}

  /** Pages are shared (PageMemo): callers must not change them. */
  async page(code: string, channel: Channel, req: PageRequest): Promise<HistoryPage> {
    // A chat whose cache write failed here may have a stale window until its repair starts.
    if (this.repair.suspects(code)) return this.fromDatabase(code, channel, req);
    if (req.mode === 'before' && this.store.pagesTellLastSeq) {
      const deep = await this.belowWindow(code, channel, req);
      if (deep) return deep;
    }
    if (req.mode === 'newest') {
      const kept = this.memo.get(code, channel, req.limit);
      const current = kept && (await this.keptIfCurrent(code, channel, kept));
      if (current) return current;
    }
    const generation = this.memo.generation();
    const cached = await this.readCache(code, channel, req);
    if (cached && cached.lastSeq !== null) {
      const { lo, hi, entries, lastSeq } = cached;
      this.saw(code, channel, lastSeq);
      const expected = Math.max(0, hi - lo + 1);
      if (entries.length !== expected) return this.hybrid(code, channel, req, cached as WindowRead & { lastSeq: number });
      const page = this.finish(
        req,
        entries.map((e) => e.json),
        'cache',
        lastSeq,
        lo,
        hi,
      );
      if (req.mode === 'newest') this.memo.set(code, channel, req.limit, { page, state: { lastSeq, count: cached.count } }, generation);
      return page;
    }
    return this.fromDatabase(code, channel, req);
  }

  /** A message of the chat channel changed (an edit, delete, reaction or pin, here or on another pod). */
  messageChanged(code: string, channel: Channel): void {
    this.memo.forget(code, channel);
  }

  /** Messages after `sinceSeq`, oldest first, at most `max`; `complete` false when more were missed. */
  async missedSince(
    code: string,
    channel: Channel,
    sinceSeq: number,
    max = 500,
  ): Promise<{
    messages: MessageView[];
    lastSeq: number;
    complete: boolean;
  }> {
    const page = await this.page(code, channel, { mode: 'after', after: sinceSeq, limit: max });
    return { messages: page.items.map((j) => JSON.parse(j) as MessageView), lastSeq: page.lastSeq, complete: !page.hasMore };
  }

  /** Messages up to `maxSeq` changed after `sinceVersion` (from the database, the only complete record of changes). */
  async changedSince(code: string, channel: Channel, sinceVersion: number, maxSeq: number, max = 500): Promise<MessageView[]> {
    const chat = await this.store.chatRef(code);
    const rows = await this.store.changedSince(chat, channel, sinceVersion, maxSeq, max);
    return rows.map((m) => toMessageView(m, code));
  }

  /**
   * A `before` page wholly below the window by a last seq read earlier is the database's alone
   * (the window holds only the newest limits.maxCount): read it without asking the cache, with the
   * channel's current last seq from the same statement (PostgreSQL). null when no last seq was read yet.
   */
  private async belowWindow(code: string, channel: Channel, req: PageRequest & { mode: 'before' }): Promise<HistoryPage | null> {
    const seen = this.lastSeen.get(`${code}:${channel}`);
    if (seen === undefined || req.before - 1 > seen - this.limits.maxCount) return null;
    const { lo, hi } = pageRange(seen, req);
    if (hi < lo) return null;
    const { entries, lastSeq } = await this.store.page(await this.store.chatRef(code), channel, lo, hi);
    if (lastSeq === null || entries.length !== hi - lo + 1) return null;
    this.saw(code, channel, lastSeq);
    return this.finish(
      req,
      entries.map((e) => e.json),
      'db',
      lastSeq,
      lo,
      hi,
    );
  }

  private saw(code: string, channel: Channel, lastSeq: number): void {
    const key = `${code}:${channel}`;
    if ((this.lastSeen.get(key) ?? -1) >= lastSeq) return;
    if (this.lastSeen.size >= 50_000) this.lastSeen.clear();
    this.lastSeen.set(key, lastSeq);
  }

  /** The kept page when the window's state says it is still current, else null (one cache read either way). */
  private async keptIfCurrent(code: string, channel: Channel, kept: KeptPage): Promise<HistoryPage | null> {
    try {
      return await traced('cache.read', { [ATTR.chatCode]: code, [ATTR.op]: 'page' }, async (span) => {
        const now = await this.states.run(`${code}:${channel}`, () => this.engine.windowState(code, channel));
        const current = now !== null && now.lastSeq === kept.state.lastSeq && now.count === kept.state.count;
        // Serving a kept page is a page read the cache answered; a stale one was only a check before the real read.
        span.setAttributes(
          current ? { [ATTR.cacheResult]: 'hit', [ATTR.cacheCount]: kept.page.items.length } : { [ATTR.op]: 'window-state' },
        );
        return current ? kept.page : null;
      });
    } catch {
      return null;
    }
  }

  private async readCache(code: string, channel: Channel, req: PageRequest): Promise<WindowRead | null> {
    try {
      return await traced('cache.read', { [ATTR.chatCode]: code, [ATTR.op]: 'page' }, async (span) => {
        const read = await this.engine.readPage(code, channel, req);
        const expected = Math.max(0, read.hi - read.lo + 1);
        const result =
          read.lastSeq === null || (read.entries.length === 0 && expected > 0)
            ? 'miss'
            : read.entries.length === expected
              ? 'hit'
              : 'partial';
        span.setAttributes({ [ATTR.cacheResult]: result, [ATTR.cacheCount]: read.entries.length });
        return read;
      });
    } catch {
      return null; // unreachable cache: the database answers
    }
  }

  private async hybrid(code: string, channel: Channel, req: PageRequest, cached: WindowRead & { lastSeq: number }): Promise<HistoryPage> {
    return traced('hybrid.query', { [ATTR.chatCode]: code }, async (span) => {
      const { lo, hi, lastSeq } = cached;
      const have = new Map(cached.entries.map((e) => [e.seq, e.json]));
      let missLo = hi;
      let missHi = lo;
      for (let s = lo; s <= hi; s++) {
        if (!have.has(s)) {
          missLo = Math.min(missLo, s);
          missHi = Math.max(missHi, s);
        }
      }
      const chat = await this.store.chatRef(code);
      const { entries: rows } = await this.store.page(chat, channel, missLo, missHi);
      for (const m of rows) if (!have.has(m.seq)) have.set(m.seq, m.json);
      span.setAttributes({ [ATTR.cacheCount]: cached.entries.length, [ATTR.dbCount]: rows.length });
      // A hole inside the part the window should hold means it lost members: rebuild it in the
      // background. Pages below the window (deep scrollback) are simply the database's to serve.
      if (missHi > lastSeq - this.limits.maxCount) this.repair.enqueue(code);
      const items: string[] = [];
      for (let s = lo; s <= hi; s++) {
        const json = have.get(s);
        if (json !== undefined) items.push(json);
      }
      const source: HistorySource = cached.entries.length ? 'hybrid' : 'db';
      return this.finish(req, items, source, lastSeq, lo, hi);
    });
  }

  private async fromDatabase(code: string, channel: Channel, req: PageRequest): Promise<HistoryPage> {
    const chat: ChatRef = await this.store.chatRef(code);
    const lastSeq = await this.store.lastSeq(chat, channel);
    const { lo, hi } = pageRange(lastSeq, req);
    const { entries: rows } = await this.store.page(chat, channel, lo, hi);
    this.repair.enqueue(code);
    return this.finish(
      req,
      rows.map((m) => m.json),
      'db',
      lastSeq,
      lo,
      hi,
    );
  }

  private finish(req: PageRequest, ascending: string[], source: HistorySource, lastSeq: number, lo: number, hi: number): HistoryPage {
    const empty = hi < lo;
    if (req.mode === 'after') {
      return { items: ascending, source, lastSeq, hasMore: !empty && hi < lastSeq, nextBefore: null, nextAfter: empty ? null : hi };
    }
    const hasMore = !empty && lo > 1;
    return { items: ascending.reverse(), source, lastSeq, hasMore, nextBefore: hasMore ? lo : null, nextAfter: null };
  }
}
