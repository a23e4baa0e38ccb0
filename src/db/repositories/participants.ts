import { Participant } from '../../domain';
import type { Db, Tx } from './tx';

/** Participants, always within one chat (the chat id is part of every lookup), except a user's memberships. */
export class ParticipantRepository {
  constructor(private readonly db: Db) {}

  byId(chatId: string, id: string, tx?: Tx): Promise<Participant | null> {
    return this.db.em(tx).findOne(Participant, { chatId, id });
  }

  /** By the lower-cased username. */
  byUsername(chatId: string, usernameKey: string, tx?: Tx): Promise<Participant | null> {
    return this.db.em(tx).findOne(Participant, { chatId, usernameKey });
  }

  /** Whether the participant may use the back room (the host or an admitted member). */
  async inBackroom(chatId: string, id: string, tx?: Tx): Promise<boolean> {
    const p = await this.db.em(tx).findOne(Participant, { chatId, id }, { fields: ['isHost', 'backroomMember'] });
    return p !== null && (p.isHost || p.backroomMember);
  }

  /** Inserts within `tx` (flushed by the caller's transaction). */
  add(tx: Tx, participant: Participant): void {
    tx.persist(participant);
  }

  /** Admits the participant with this username to the back room; null when there is none. */
  async admitToBackroom(chatId: string, usernameKey: string): Promise<Participant | null> {
    const em = this.db.em();
    const p = await em.findOne(Participant, { chatId, usernameKey });
    if (!p) return null;
    p.backroomMember = true;
    await em.flush();
    return p;
  }

  /** Raises the read marker to `seq` (never lowers it); the marker and user id after the call, null when gone. */
  async raiseReadMarker(chatId: string, id: string, seq: number): Promise<{ moved: boolean; lastReadSeq: number; userId: string | null } | null> {
    const em = this.db.em();
    // One conditional UPDATE keeps the marker monotonic under concurrent calls.
    const moved = await em.nativeUpdate(Participant, { chatId, id, lastReadSeq: { $lt: seq } }, { lastReadSeq: seq });
    const p = await em.findOne(Participant, { chatId, id }, { fields: ['lastReadSeq', 'userId'] });
    return p && { moved: moved > 0, lastReadSeq: p.lastReadSeq, userId: p.userId };
  }

  /** The registered members of these chats: one query, or one per chat when the database is split by chat. */
  async registeredMembers(chatIds: string[]): Promise<{ chatId: string; userId: string }[]> {
    const find = (chatId: string | { $in: string[] }) =>
      this.db
        .em()
        .find(Participant, { chatId, userId: { $ne: null } }, { fields: ['chatId', 'userId'] })
        .then((rows) => rows.map((r) => ({ chatId: r.chatId, userId: r.userId! })));
    if (!this.db.distributed) return find({ $in: chatIds });
    return (await Promise.all(chatIds.map((id) => find(id)))).flat();
  }

  /** A user's memberships (under their reserved name) with their read markers. */
  memberships(userId: string): Promise<{ chatId: string; lastReadSeq: number }[]> {
    return this.db
      .em()
      .find(Participant, { userId }, { fields: ['chatId', 'lastReadSeq'] })
      .then((rows) => rows.map((r) => ({ chatId: r.chatId, lastReadSeq: r.lastReadSeq })));
  }

  /** Unread main-channel messages across a user's chats. */
  async unreadTotal(userId: string): Promise<number> {
    const rows = await this.db
      .em()
      .getConnection()
      .execute<{ unread: number | string | null }[]>(
        `select coalesce(sum(case when c.last_seq_main > p.last_read_seq then c.last_seq_main - p.last_read_seq else 0 end), 0) as unread
           from participants p join chats c on c.id = p.chat_id
          where p.user_id = ?`,
        [userId],
      );
    return Number(rows[0]?.unread ?? 0);
  }
}
