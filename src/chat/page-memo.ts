import type { WindowState } from '../cache';
import type { Channel } from '../domain';
import type { HistoryPage } from './history-page';

/** A page as kept, with the window's state it was read at. */
export interface KeptPage {
  page: HistoryPage;
  state: WindowState;
}

/** Pages a pod keeps in memory (each ≤ 100 messages). @default 500 */
export const PAGE_MEMO_PAGES = 500;
/** How long a kept page may be served at most, ms: the bound on staleness when change events are lost. @default 1000 */
export const PAGE_MEMO_MAX_AGE_MS = 1000;

interface Entry extends KeptPage {
  at: number;
}

/**
 * The newest page of hot chats, kept by this pod so a read needs only the window's state from the
 * cache (last seq and size: one small round trip) instead of the page. A kept page is served while
 * that state is unchanged (so a message acked on any pod is always seen: the ack follows the cache
 * write; a member lost from the window is noticed too), no change of the chat's messages was
 * announced since (edits, deletes, reactions, pins, from this pod or another), and it is under
 * PAGE_MEMO_MAX_AGE_MS old.
 */
export class PageMemo {
  /** `code:channel:limit` → page; the Map's order is the eviction order */
  private readonly pages = new Map<string, Entry>();
  /** `code:channel` → the limits kept for it */
  private readonly limits = new Map<string, Set<number>>();
  /** bumped by every forget: a page read before a change is not kept after it */
  private changes = 0;

  constructor(
    private readonly maxPages = PAGE_MEMO_PAGES,
    private readonly maxAgeMs = PAGE_MEMO_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(code: string, channel: Channel, limit: number): KeptPage | undefined {
    const entry = this.pages.get(`${code}:${channel}:${limit}`);
    return entry && this.now() - entry.at <= this.maxAgeMs ? entry : undefined;
  }

  /** Taken before reading what `set` will keep. */
  generation(): number {
    return this.changes;
  }

  set(code: string, channel: Channel, limit: number, kept: KeptPage, generation: number): void {
    if (generation !== this.changes) return;
    const id = `${code}:${channel}`;
    const key = `${id}:${limit}`;
    this.pages.delete(key);
    this.pages.set(key, { ...kept, at: this.now() });
    let limits = this.limits.get(id);
    if (!limits) this.limits.set(id, (limits = new Set()));
    limits.add(limit);
    if (this.pages.size > this.maxPages) this.drop(this.pages.keys().next().value!);
  }

  /** A message of the chat channel changed: its kept pages are no longer served. */
  forget(code: string, channel: Channel): void {
    this.changes++;
    const id = `${code}:${channel}`;
    for (const limit of this.limits.get(id) ?? []) this.pages.delete(`${id}:${limit}`);
    this.limits.delete(id);
  }

  private drop(key: string): void {
    this.pages.delete(key);
    const cut = key.lastIndexOf(':');
    const id = key.slice(0, cut);
    const limits = this.limits.get(id);
    limits?.delete(Number(key.slice(cut + 1)));
    if (limits?.size === 0) this.limits.delete(id);
  }
}
