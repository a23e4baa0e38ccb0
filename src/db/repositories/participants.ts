import { Participant } from '../../domain';
import type { Db, Tx } from './tx';

/** One membership's read state. */
export interface MembershipUnread {
  participantId: string;
  chatId: string;
  userId: string | null;
  lastReadSeq: number;
  /** main-channel messages after the marker that someone else sent */
  unread: number;
}

/** Whose memberships: a user's (every chat), a chat's registered members, or one participant of a chat. */
export type Memberships = { userId: string } | { chatId: string } | { chatId: string; participantId: string };

type UnreadRow = {
  participant_id: string;
  chat_id: string;
  user_id: string | null;
  last_read_seq: number | string;
  unread: number | string;
};

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

  /** A registered user's participant in a chat (under their reserved name), or null. */
  ofUser(chatId: string, userId: string): Promise<Participant | null> {
    return this.db.em().findOne(Participant, { chatId, userId });
  }

  /** The chat's participants' names and keys (for the look-alike check). */
  names(chatId: string): Promise<{ username: string; usernameKey: string }[]> {
    return this.db
      .em()
      .find(Participant, { chatId }, { fields: ['username', 'usernameKey'] })
      .then((rows) => rows.map((r) => ({ username: r.username, usernameKey: r.usernameKey })));
  }

  /** Whether a participant of the chat has this username key. */
  async nameTaken(chatId: string, usernameKey: string): Promise<boolean> {
    return (await this.db.em().findOne(Participant, { chatId, usernameKey }, { fields: ['id'] })) !== null;
  }

  /** Renames the participant if it still has `fromKey`; whether it did (a unique violation throws). */
  async rename(chatId: string, id: string, fromKey: string, username: string, usernameKey: string): Promise<boolean> {
    return (await this.db.em().nativeUpdate(Participant, { chatId, id, usernameKey: fromKey }, { username, usernameKey })) === 1;
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

  /**
   * Raises the read marker to `seq` (never lowers it); whether it moved, and the membership's read
   * state after the call (null when the participant is gone).
   */
  async raiseReadMarker(chatId: string, id: string, seq: number): Promise<{ moved: boolean; state: MembershipUnread | null }> {
    // One conditional UPDATE keeps the marker monotonic under concurrent calls.
    const moved = await this.db.em().nativeUpdate(Participant, { chatId, id, lastReadSeq: { $lt: seq } }, { lastReadSeq: seq });
    const [state] = await this.unread({ chatId, participantId: id });
    return { moved: moved > 0, state: state ?? null };
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

  /**
   * Unread counts per membership: the messages after each participant's read marker that they did
   * not send themselves (their own are never unread to them). The count walks the
   * (chat_id, channel, seq) unique index from the marker. One statement; a user's across chats, when
   * the database is split by chat, one per chat, each naming its chat.
   */
  async unread(which: Memberships): Promise<MembershipUnread[]> {
    if ('userId' in which) {
      if (!this.db.distributed) return this.unreadWhere('p.user_id = ?', [which.userId]);
      const chats = await this.memberships(which.userId);
      const perChat = chats.map((m) => this.unreadWhere('p.chat_id = ? and p.user_id = ?', [m.chatId, which.userId]));
      return (await Promise.all(perChat)).flat();
    }
    if ('participantId' in which) return this.unreadWhere('p.chat_id = ? and p.id = ?', [which.chatId, which.participantId]);
    return this.unreadWhere('p.chat_id = ? and p.user_id is not null', [which.chatId]);
  }

  private async unreadWhere(where: string, params: string[]): Promise<MembershipUnread[]> {
    const rows = await this.db
      .em()
      .getConnection()
      .execute<UnreadRow[]>(
        `select p.id as participant_id, p.chat_id, p.user_id, p.last_read_seq,
              (select count(*) from messages m
                where m.chat_id = p.chat_id and m.channel = 'main' and m.seq > p.last_read_seq and m.participant_id <> p.id) as unread
         from participants p
        where ${where}`,
        params,
      );
    return rows.map((r) => ({
      participantId: r.participant_id,
      chatId: r.chat_id,
      userId: r.user_id,
      lastReadSeq: Number(r.last_read_seq),
      unread: Number(r.unread),
    }));
  }

  /** The participant's current username, or null when it is gone. */
  async usernameOf(chatId: string, id: string): Promise<string | null> {
    return (await this.db.em().findOne(Participant, { chatId, id }, { fields: ['username'] }))?.username ?? null;
  }
}
