import pg from 'pg';
import type { RawPg } from '../raw-pg';
import type { Channel, MessageFields } from '../../domain';

/**
 * A stored message as PostgreSQL writes it out, for history pages: timestamps as UTC text in the
 * ISO DateStyle ('2026-12-07 07:05:05.126', the style pg's own date parser needs too), reactions as
 * the jsonb's text. Turning 50 rows into Dates and objects, and those back into JSON, was most of a
 * deep page's CPU; src/chat/message-json.ts writes the wire JSON straight from this.
 */
export interface MessageText {
  id: string;
  seq: number;
  version: number;
  username: string;
  username_is_reserved: boolean;
  user_id: string | null;
  content: string;
  message_type: string;
  reply_to: string | null;
  pinned_until: string | null;
  pin_amount_cents: number | null;
  reactions: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
}

const asText = (value: string) => value;
const TIMESTAMP = 1114;
const JSONB = 3802;
/** pg's parsers, except that timestamps and jsonb stay text */
const TEXT_TYPES = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP || oid === JSONB ? asText : pg.types.getTypeParser(oid, format ?? 'text'),
};

/**
 * A chat channel's messages by seq range, ascending, as MessageText (the channel is the caller's),
 * each row also carrying the channel's last seq as the same snapshot has it.
 */
const RANGE_TEXT_STATEMENT = {
  name: 'chatpop_range_text_v1',
  text: `select id, seq, version, username, username_is_reserved, user_id, content, message_type, reply_to,
  pinned_until at time zone 'UTC' as pinned_until, pin_amount_cents, reactions, created_at at time zone 'UTC' as created_at,
  edited_at at time zone 'UTC' as edited_at, deleted,
  (select case when $2::text = 'main' then last_seq_main else last_seq_backroom end from chats where id = $1) as "lastSeq"
from messages where chat_id = $1 and channel = $2 and seq between $3 and $4 order by seq`,
  types: TEXT_TYPES,
};

/**
 * A chat channel's messages by seq range, ascending, each row already shaped as MessageFields (the
 * columns are named after the entity's properties); prepared once per connection.
 */
const RANGE_STATEMENT = {
  name: 'chatpop_range_v2',
  text: `select id, channel, seq, version, username, username_is_reserved as "usernameIsReserved", user_id as "userId",
  content, message_type as "messageType", reply_to as "replyTo", pinned_until as "pinnedUntil",
  pin_amount_cents as "pinAmountCents", reactions, created_at as "createdAt", edited_at as "editedAt", deleted
from messages where chat_id = $1 and channel = $2 and seq between $3 and $4 order by seq`,
};

/** RANGE_TEXT_STATEMENT, each row also carrying the chat's change counter as this server has it. */
const RANGE_TEXT_WITH_VERSION_STATEMENT = {
  name: 'chatpop_range_text_with_version_v1',
  text: RANGE_TEXT_STATEMENT.text.replace(
    /\sfrom messages /,
    `, (select version from chats where id = $1) as "chatVersion"\nfrom messages `,
  ),
  types: TEXT_TYPES,
};

const VERSION_STATEMENT = { name: 'chatpop_chat_version_v1', text: 'select version from chats where id = $1' };

/**
 * Read-only message reads on PostgreSQL without the ORM: a page of 50 read through MikroORM spent
 * most of its time making managed entities (change tracking, identity map) that a read never uses.
 */
export class PgMessageReads {
  constructor(private readonly pg: RawPg) {}

  range(chatId: string, channel: Channel, lo: number, hi: number): Promise<MessageFields[]> {
    return this.pg.query<MessageFields>({ ...RANGE_STATEMENT, values: [chatId, channel, lo, hi] });
  }

  /** The range as MessageText, for a page's JSON, with the channel's last seq (null: no rows). */
  async rangeText(chatId: string, channel: Channel, lo: number, hi: number): Promise<{ rows: MessageText[]; lastSeq: number | null }> {
    const rows = await this.pg.query<MessageText & { lastSeq: number }>({ ...RANGE_TEXT_STATEMENT, values: [chatId, channel, lo, hi] });
    return { rows, lastSeq: rows.length ? Number(rows[0]!.lastSeq) : null };
  }

  /** The chat's change counter on the primary. */
  async version(chatId: string): Promise<number> {
    const [row] = await this.pg.query<{ version: number }>({ ...VERSION_STATEMENT, values: [chatId] });
    return row ? Number(row.version) : 0;
  }

  /** The range as MessageText from a replica, with the chat's change counter as the replica has replayed it (null: no rows). */
  async rangeTextOn(
    replica: RawPg,
    chatId: string,
    channel: Channel,
    lo: number,
    hi: number,
  ): Promise<{ rows: MessageText[]; lastSeq: number | null; version: number | null }> {
    const values = [chatId, channel, lo, hi];
    const rows = await replica.query<MessageText & { lastSeq: number; chatVersion: number }>({
      ...RANGE_TEXT_WITH_VERSION_STATEMENT,
      values,
    });
    const [first] = rows;
    return { rows, lastSeq: first ? Number(first.lastSeq) : null, version: first ? Number(first.chatVersion) : null };
  }
}
