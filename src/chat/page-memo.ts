import type { WindowState } from '../cache';
import type { Channel } from '../domain';
import type { HistoryPage } from './history-service';

/** A page as kept, with the window's state it was read at. */
export interface KeptPage {
  page: HistoryPage;
  state: WindowState;
}

/** Chat channels whose first pages a pod keeps in memory. @default 1000 */
export const PAGE_MEMO_CHATS = 1000;
/** How long a kept page may be served at most, ms: the bound on staleness when change events are lost. @default 1000 */
export const PAGE_MEMO_MAX_AGE_MS = 1000;

interface Entry extends KeptPage {
  at: number;
}

/**
 * The newest page of hot chats, kept by this pod so a read needs only the window's state from the
 * cache (last seq and size: one small round trip) instead of the page. A kept page is served while
 * that state is unchanged (so a message acked on any pod is always seen: the ack follows the cache
 * write; a member lost from the window is noticed too), no change of the chat's messages was announced since (edits, deletes, reactions, pins, from this
 * pod or another), and it is under PAGE_MEMO_MAX_AGE_MS old.
 */
export class PageMemo {
  /** `code:channel` → limit → page; the Map's order is the eviction order */
  private readonly chats = new Map<string, Map<number, Entry>>();
  /** bumped by every forget: a page read before a change is not kept after it */
  private changes = 0;

  constructor(
    private readonly maxChats = PAGE_MEMO_CHATS,
    private readonly maxAgeMs = PAGE_MEMO_MAX_AGE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(code: string, channel: Channel, limit: number): KeptPage | undefined {
    const entry = this.chats.get(`${code}:${channel}`)?.get(limit);
    return entry && this.now() - entry.at <= this.maxAgeMs ? entry : undefined;
  }

  /** Taken before reading what `set` will keep. */
  generation(): number {
    return this.changes;
  }

  set(code: string, channel: Channel, limit: number, kept: KeptPage, generation: number): void {
    if (generation !== this.changes) return;
    const id = `${code}:${channel}`;
    const pages = this.chats.get(id) ?? new Map<number, Entry>();
    this.chats.delete(id);
    this.chats.set(id, pages.set(limit, { ...kept, at: this.now() }));
    if (this.chats.size > this.maxChats) this.chats.delete(this.chats.keys().next().value!);
  }

  /** A message of the chat channel changed: its kept pages are no longer served. */
  forget(code: string, channel: Channel): void {
    this.changes++;
    this.chats.delete(`${code}:${channel}`);
  }
}
