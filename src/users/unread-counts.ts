import type { Em } from '../db';

/** One membership's read state. */
export interface MembershipUnread {
  participantId: string;
  chatId: string;
  userId: string | null;
  lastReadSeq: number;
  /** main-channel messages after the marker that someone else sent */
  unread: number;
}

/** Whose memberships: a user's (every chat), a chat's registered members, or one participant. */
export type Memberships = { userId: string } | { chatId: string } | { participantId: string };

type Row = { participant_id: string; chat_id: string; user_id: string | null; last_read_seq: number | string; unread: number | string };

/**
 * Unread counts per membership, in one statement: the messages after each participant's read
 * marker that they did not send themselves (their own are never unread to them). The count walks
 * the (chat_id, channel, seq) unique index from the marker.
 */
export async function membershipUnread(em: Em, which: Memberships): Promise<MembershipUnread[]> {
  const [where, param] =
    'userId' in which
      ? ['p.user_id = ?', which.userId]
      : 'chatId' in which
        ? ['p.chat_id = ? and p.user_id is not null', which.chatId]
        : ['p.id = ?', which.participantId];
  const rows = await em.getConnection().execute<Row[]>(
    `select p.id as participant_id, p.chat_id, p.user_id, p.last_read_seq,
            (select count(*) from messages m
              where m.chat_id = p.chat_id and m.channel = 'main' and m.seq > p.last_read_seq and m.participant_id <> p.id) as unread
       from participants p
      where ${where}`,
    [param],
  );
  return rows.map((r) => ({
    participantId: r.participant_id,
    chatId: r.chat_id,
    userId: r.user_id,
    lastReadSeq: Number(r.last_read_seq),
    unread: Number(r.unread),
  }));
}
