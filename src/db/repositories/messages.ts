import type { Channel } from '../../domain';
import { Message, Reaction } from '../../domain';
import type { MessageFields } from '../../chat/message-view';
import { PgMessageReads } from './pg-message-reads';
import type { RawPg } from '../raw-pg';
import type { ChatRef } from './chats';
import type { Db, Tx } from './tx';

/** Messages and their reactions, always within one chat (the chat id is part of every statement). */
export class MessageRepository {
  /** on PostgreSQL: page reads without the ORM */
  private readonly pgReads: PgMessageReads | null;

  constructor(
    private readonly db: Db,
    pg: RawPg | null,
  ) {
    this.pgReads = pg ? new PgMessageReads(pg) : null;
  }

  /** Messages with lo ≤ seq ≤ hi, ascending (read-only: not entities on PostgreSQL). */
  async range(chat: ChatRef, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    if (this.pgReads) return this.pgReads.range(chat.id, channel, lo, hi);
    return this.db.em().find(Message, { chatId: chat.id, channel, seq: { $gte: lo, $lte: hi } }, { orderBy: { seq: 'asc' } });
  }

  /** Messages with seq ≤ maxSeq changed after `sinceVersion`, ascending by seq. */
  changedSince(chat: ChatRef, channel: Channel, sinceVersion: number, maxSeq: number, limit: number): Promise<Message[]> {
    return this.db.em().find(Message, { chatId: chat.id, channel, version: { $gt: sinceVersion }, seq: { $lte: maxSeq } }, { orderBy: { seq: 'asc' }, limit });
  }

  byId(chatId: string, id: string, tx?: Tx): Promise<Message | null> {
    return this.db.em(tx).findOne(Message, { chatId, id });
  }

  /** The channel of a message of this chat, or null (a reply's target). */
  async channelOf(chatId: string, id: string): Promise<Channel | null> {
    return (await this.db.em().findOne(Message, { chatId, id }, { fields: ['id', 'channel'] }))?.channel ?? null;
  }

  /** Messages pinned past `now`, by pinned_until ascending. */
  activePins(chat: ChatRef, now: Date): Promise<Message[]> {
    return this.db.em().find(Message, { chatId: chat.id, pinnedUntil: { $gt: now }, deleted: false }, { orderBy: { pinnedUntil: 'asc' } });
  }

  /** Stored messages of these senders with these client_ids in one chat channel (inside the send's transaction). */
  byClientIds(tx: Tx, chatId: string, channel: Channel, participantIds: string[], clientIds: string[]): Promise<Message[]> {
    return tx.find(Message, { chatId, channel, participantId: { $in: participantIds }, clientId: { $in: clientIds } });
  }

  async insertMany(tx: Tx, rows: Message[]): Promise<void> {
    await tx.insertMany(rows);
  }

  /** One participant's reaction with this emoji on a message, or null. */
  reaction(tx: Tx, chatId: string, messageId: string, participantId: string, emoji: string): Promise<Reaction | null> {
    return tx.findOne(Reaction, { chatId, messageId, participantId, emoji });
  }

  addReaction(tx: Tx, reaction: Reaction): void {
    tx.persist(reaction);
  }

  removeReaction(tx: Tx, reaction: Reaction): void {
    tx.remove(reaction);
  }

  /** A message by id alone, in whichever chat holds it (operators' look-up: every shard is asked). */
  anywhere(id: string): Promise<Message | null> {
    return this.db.em().findOne(Message, { id });
  }
}
