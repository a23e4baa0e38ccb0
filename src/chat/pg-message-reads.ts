import type { RawPg } from '../db';
import type { Channel, MessageType } from '../domain';
import type { MessageFields } from './message-view';

/** A chat channel's messages by seq range, ascending; prepared once per connection. */
const RANGE_STATEMENT = {
  name: 'chatpop_range_v1',
  text: `select id, channel, seq, version, username, username_is_reserved, user_id, content, message_type, reply_to,
  pinned_until, pin_amount_cents, reactions, created_at, edited_at, deleted
from messages where chat_id = $1 and channel = $2 and seq between $3 and $4 order by seq`,
};

interface MessageRow {
  id: string;
  channel: Channel;
  seq: number;
  version: number;
  username: string;
  username_is_reserved: boolean;
  user_id: string | null;
  content: string;
  message_type: MessageType;
  reply_to: string | null;
  pinned_until: Date | null;
  pin_amount_cents: number | null;
  reactions: Record<string, number>;
  created_at: Date;
  edited_at: Date | null;
  deleted: boolean;
}

/**
 * Read-only message reads on PostgreSQL without the ORM: a page of 50 read through MikroORM spent
 * most of its time making managed entities (change tracking, identity map) that a read never uses.
 */
export class PgMessageReads {
  constructor(private readonly pg: RawPg) {}

  async range(chatId: string, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    const rows = await this.pg.query<MessageRow>({ ...RANGE_STATEMENT, values: [chatId, channel, lo, hi] });
    return rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      seq: r.seq,
      version: r.version,
      username: r.username,
      usernameIsReserved: r.username_is_reserved,
      userId: r.user_id,
      content: r.content,
      messageType: r.message_type,
      replyTo: r.reply_to,
      pinnedUntil: r.pinned_until,
      pinAmountCents: r.pin_amount_cents,
      reactions: r.reactions,
      createdAt: r.created_at,
      editedAt: r.edited_at,
      deleted: r.deleted,
    }));
  }
}
