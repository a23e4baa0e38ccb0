import type { Channel, MessageFields } from '../../domain';
import { Message, Reaction } from '../../domain';
import { PgMessageReads, type MessageText } from './pg-message-reads';
import type { RawPg } from '../raw-pg';
import type { ReadReplicas, ReplicaResult } from '../read-replicas';
import type { ChatRef } from './chats';
import type { Db, Tx } from './tx';

/** A page's rows: PostgreSQL's text form where the ORM is bypassed, else the entities' fields (SQLite). */
export type PageRows = { text: MessageText[] } | { fields: MessageFields[] };

/** Messages and their reactions, always within one chat (the chat id is part of every statement). */
export class MessageRepository {
  /** on PostgreSQL: page reads without the ORM */
  private readonly pgReads: PgMessageReads | null;

  /** whether page() reads the channel's last seq with the page (on PostgreSQL) */
  readonly pagesTellLastSeq: boolean;

  constructor(
    private readonly db: Db,
    pg: RawPg | null,
    private readonly replicas: ReadReplicas | null = null,
  ) {
    this.pgReads = pg ? new PgMessageReads(pg) : null;
    this.pagesTellLastSeq = this.pgReads !== null;
  }

  /**
   * A history page's range, from a read replica when there is one. Seqs are contiguous, so the page
   * must hold hi - lo + 1 rows; and the replica must have replayed the chat's change counter as the
   * primary had it before the read, so every write made before the request (a send, an edit, a
   * reaction) is in its answer. A replica short of either is lagging: the primary answers. On
   * PostgreSQL, `lastSeq` is the channel's last seq as the same statement read it.
   */
  async page(
    chat: ChatRef,
    channel: Channel,
    lo: number,
    hi: number,
  ): Promise<{ rows: PageRows; lastSeq: number | null; replica?: ReplicaResult }> {
    const reads = this.pgReads;
    if (!reads) return { rows: { fields: await this.range(chat, channel, lo, hi) }, lastSeq: null };
    const primary = async (replica?: ReplicaResult) => {
      const { rows, lastSeq } = await reads.rangeText(chat.id, channel, lo, hi);
      return { rows: { text: rows }, lastSeq, replica };
    };
    if (!this.replicas) return primary();
    const version = await reads.version(chat.id);
    let replica: ReplicaResult = 'lagging';
    try {
      const answer = await reads.rangeTextOn(this.replicas, chat.id, channel, lo, hi);
      if (answer.rows.length === hi - lo + 1 && answer.version !== null && answer.version >= version) {
        this.replicas.onResult('served');
        return { rows: { text: answer.rows }, lastSeq: answer.lastSeq, replica: 'served' };
      }
    } catch {
      replica = 'failed'; // a replica down or refusing: the primary answers
    }
    this.replicas.onResult(replica);
    return primary(replica);
  }

  /** Messages with lo ≤ seq ≤ hi, ascending (read-only: not entities on PostgreSQL). */
  async range(chat: ChatRef, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    if (this.pgReads) return this.pgReads.range(chat.id, channel, lo, hi);
    return this.db.em().find(Message, { chatId: chat.id, channel, seq: { $gte: lo, $lte: hi } }, { orderBy: { seq: 'asc' } });
  }

  /** Messages with seq ≤ maxSeq changed after `sinceVersion`, ascending by seq. */
  changedSince(chat: ChatRef, channel: Channel, sinceVersion: number, maxSeq: number, limit: number): Promise<Message[]> {
    return this.db
      .em()
      .find(
        Message,
        { chatId: chat.id, channel, version: { $gt: sinceVersion }, seq: { $lte: maxSeq } },
        { orderBy: { seq: 'asc' }, limit },
      );
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
