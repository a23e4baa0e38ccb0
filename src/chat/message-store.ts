import type { Channel } from '../domain';
import type { Chat, Message } from '../domain';
import { Repositories, type ChatRef, type Orm, type RawPg, type ReadReplicas, type Tx } from '../db';
import { ATTR, traced } from '../telemetry';
import { AppError } from '../errors';
import type { MessageFields } from './message-view';
import { pageEntries, type PageEntry } from './message-json';

export type { ChatRef } from '../db';

/**
 * The chat services' data access: the repositories (src/db/repositories), plus the reads they
 * share with their spans. No service reaches past it for an EntityManager.
 */
export class MessageStore {
  readonly repos: Repositories;

  constructor(orm: Orm, pg: RawPg | null = null, distributed = false, replicas: ReadReplicas | null = null) {
    this.repos = new Repositories(orm, pg, distributed, replicas);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.repos.transaction(fn);
  }

  /** The chat's id by code, or not_found. */
  chatRef(code: string): Promise<ChatRef> {
    return this.repos.chats.ref(code);
  }

  /** Whether the chat is a private 1:1 conversation, or not_found. */
  isDirect(code: string): Promise<boolean> {
    return this.repos.chats.isDirect(code);
  }

  rememberChat(code: string, id: string, kind: Chat['kind']) {
    return this.repos.chats.remember(code, id, kind);
  }

  chat(code: string): Promise<Chat> {
    return this.repos.chats.byCode(code);
  }

  lastSeq(chat: ChatRef, channel: Channel): Promise<number> {
    return this.repos.chats.lastSeq(chat, channel);
  }

  /** Messages with lo ≤ seq ≤ hi, ascending (read-only: not entities on PostgreSQL). */
  range(chat: ChatRef, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    if (hi < lo) return Promise.resolve([]);
    return traced('db.read', { [ATTR.chatCode]: chat.code, [ATTR.op]: 'range' }, async (span) => {
      const rows = await this.repos.messages.range(chat, channel, lo, hi);
      span.setAttribute(ATTR.dbCount, rows.length);
      return rows;
    });
  }

  /** whether page() gives the channel's last seq (PostgreSQL) */
  get pagesTellLastSeq(): boolean {
    return this.repos.messages.pagesTellLastSeq;
  }

  /**
   * A history page's range as JSON texts, ascending: from a read replica when there is one and its
   * answer is whole (MessageRepository.page). `lastSeq`: the channel's, as the same statement read it
   * (null when not known: SQLite, or no rows).
   */
  page(chat: ChatRef, channel: Channel, lo: number, hi: number): Promise<{ entries: PageEntry[]; lastSeq: number | null }> {
    if (hi < lo) return Promise.resolve({ entries: [], lastSeq: null });
    return traced('db.read', { [ATTR.chatCode]: chat.code, [ATTR.op]: 'range' }, async (span) => {
      const { rows, lastSeq, replica } = await this.repos.messages.page(chat, channel, lo, hi);
      const entries = pageEntries(rows, chat.code, channel);
      span.setAttribute(ATTR.dbCount, entries.length);
      if (replica) span.setAttribute(ATTR.replica, replica);
      return { entries, lastSeq };
    });
  }

  /** The newest `count` messages of a channel, ascending, with the channel's last seq. */
  async newest(chat: ChatRef, channel: Channel, count: number): Promise<{ messages: MessageFields[]; lastSeq: number }> {
    const lastSeq = await this.lastSeq(chat, channel);
    const messages = await this.range(chat, channel, Math.max(1, lastSeq - count + 1), lastSeq);
    return { messages, lastSeq };
  }

  /** Messages with seq ≤ maxSeq changed after `sinceVersion` (edits, deletes, reactions, pins), ascending by seq. */
  changedSince(chat: ChatRef, channel: Channel, sinceVersion: number, maxSeq: number, limit: number): Promise<Message[]> {
    return traced('db.read', { [ATTR.chatCode]: chat.code, [ATTR.op]: 'changed' }, async (span) => {
      const rows = await this.repos.messages.changedSince(chat, channel, sinceVersion, maxSeq, limit);
      span.setAttribute(ATTR.dbCount, rows.length);
      return rows;
    });
  }

  async byId(chat: ChatRef, id: string, tx?: Tx): Promise<Message> {
    const m = await this.repos.messages.byId(chat.id, id, tx);
    if (!m) throw AppError.notFound(`message ${id}`);
    return m;
  }

  /** Messages pinned past `now`, by pinned_until ascending. */
  activePins(chat: ChatRef, now: Date): Promise<Message[]> {
    return this.repos.messages.activePins(chat, now);
  }
}
