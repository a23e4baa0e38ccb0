import type { Channel } from '../domain';
import { Chat, Message } from '../domain';
import { forkEm, type Em, type Orm, type RawPg } from '../db';
import { ATTR, traced } from '../telemetry';
import { AppError } from '../errors';
import type { MessageFields } from './message-view';
import { PgMessageReads } from './pg-message-reads';

export interface ChatRef {
  id: string;
  code: string;
}

/**
 * Every database read of chats and messages the services share, so no query is written twice.
 * Each call forks a fresh EntityManager; on PostgreSQL, page reads skip the ORM.
 */
export class MessageStore {
  /** code → id and kind; chats are never renamed, deleted or turned private, so this cannot go stale. */
  private readonly chats = new Map<string, { id: string; direct: boolean }>();

  /** on PostgreSQL: page reads without the ORM */
  private readonly pgReads: PgMessageReads | null;

  constructor(
    private readonly orm: Orm,
    pg: RawPg | null = null,
  ) {
    this.pgReads = pg ? new PgMessageReads(pg) : null;
  }

  em(): Em {
    return forkEm(this.orm);
  }

  /** The chat's id by code, or not_found. */
  async chatRef(code: string): Promise<ChatRef> {
    return { id: (await this.known(code)).id, code };
  }

  /** Whether the chat is a private 1:1 conversation, or not_found. */
  async isDirect(code: string): Promise<boolean> {
    return (await this.known(code)).direct;
  }

  private async known(code: string): Promise<{ id: string; direct: boolean }> {
    const known = this.chats.get(code);
    if (known) return known;
    const row = await this.em().findOne(Chat, { code }, { fields: ['id', 'kind'] });
    if (!row) throw AppError.notFound(`chat ${code}`);
    return this.rememberChat(code, row.id, row.kind);
  }

  rememberChat(code: string, id: string, kind: Chat['kind']) {
    if (this.chats.size > 50_000) this.chats.clear();
    const entry = { id, direct: kind === 'direct' };
    this.chats.set(code, entry);
    return entry;
  }

  async chat(code: string): Promise<Chat> {
    const chat = await this.em().findOne(Chat, { code });
    if (!chat) throw AppError.notFound(`chat ${code}`);
    this.rememberChat(code, chat.id, chat.kind);
    return chat;
  }

  async lastSeq(chat: ChatRef, channel: Channel): Promise<number> {
    const row = await this.em().findOneOrFail(Chat, { id: chat.id }, { fields: ['lastSeqMain', 'lastSeqBackroom'] });
    return channel === 'main' ? row.lastSeqMain : row.lastSeqBackroom;
  }

  /** Messages with lo ≤ seq ≤ hi, ascending (read-only: not entities on PostgreSQL). */
  range(chat: ChatRef, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    if (hi < lo) return Promise.resolve([]);
    return traced('db.read', { [ATTR.chatCode]: chat.code, [ATTR.op]: 'range' }, async (span) => {
      const rows = this.pgReads
        ? await this.pgReads.range(chat.id, channel, lo, hi)
        : await this.em().find(Message, { chatId: chat.id, channel, seq: { $gte: lo, $lte: hi } }, { orderBy: { seq: 'asc' } });
      span.setAttribute(ATTR.dbCount, rows.length);
      return rows;
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
      const rows = await this.em().find(
        Message,
        { chatId: chat.id, channel, version: { $gt: sinceVersion }, seq: { $lte: maxSeq } },
        { orderBy: { seq: 'asc' }, limit },
      );
      span.setAttribute(ATTR.dbCount, rows.length);
      return rows;
    });
  }

  async byId(chat: ChatRef, id: string, em: Em = this.em()): Promise<Message> {
    const m = await em.findOne(Message, { id, chatId: chat.id });
    if (!m) throw AppError.notFound(`message ${id}`);
    return m;
  }

  /** Messages pinned past `now`, by pinned_until ascending. */
  activePins(chat: ChatRef, now: Date): Promise<Message[]> {
    return this.em().find(Message, { chatId: chat.id, pinnedUntil: { $gt: now }, deleted: false }, { orderBy: { pinnedUntil: 'asc' } });
  }
}
